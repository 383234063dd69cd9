package io.xregion.servicebus.dedup;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.IdempotentRepository;

import io.xregion.servicebus.BoundedCaffeineIdempotentRepository;

/**
 * The duplicate store in the health details ({@code dedup.store}, {@code dedup.state}, ...). Always UP: while Redis
 * is away the store holds or degrades by itself, and taking the app server out of rotation would not bring Redis
 * back (publish, negotiate and the event handler do not need it).
 */
public final class DuplicateStoreReadiness extends AbstractHealthCheck {

    private final IdempotentRepository store;

    public DuplicateStoreReadiness(IdempotentRepository store) {
        super("xregion", "servicebus-dedup");
        this.store = store;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        describe(store).forEach((key, value) -> builder.detail("dedup." + key, String.valueOf(value)));
        if (store instanceof RedisDuplicateStore redis && redis.state() == DuplicateStoreState.HOLDING) {
            builder.message("Redis does not answer: holding, received messages wait in Service Bus");
        } else if (store instanceof RedisDuplicateStore redis && redis.state() == DuplicateStoreState.DEGRADED) {
            builder.message("Redis does not answer: duplicates are eliminated per app server only");
        }
        builder.up();
    }

    /** What health details and /dev/state show of a duplicate store. */
    public static Map<String, Object> describe(IdempotentRepository store) {
        if (store instanceof RedisDuplicateStore redis) {
            return redis.describe();
        }
        return Map.of("store", store instanceof BoundedCaffeineIdempotentRepository ? "memory"
                : store.getClass().getSimpleName());
    }
}
