package io.xregion.webpubsub;

import io.xregion.health.HealthState;
import io.xregion.health.StateChange;

/** An instance moved from one health state to another; {@code reason}: why it went DOWN (null for UP). */
public record HealthChange(String instance, HealthState from, HealthState to, String reason) implements StateChange {

    public HealthChange(String instance, HealthState from, HealthState to) {
        this(instance, from, to, null);
    }

    /** A recovery from an outage, not the first verdict after start-up. */
    public boolean recovered() {
        return from == HealthState.DOWN && to == HealthState.UP;
    }

    @Override
    public String kind() {
        return "webpubsub";
    }

    @Override
    public String name() {
        return instance;
    }
}
