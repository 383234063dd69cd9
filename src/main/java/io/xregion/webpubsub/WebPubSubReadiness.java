package io.xregion.webpubsub;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: ready while at least one Web PubSub instance is healthy (negotiate has somewhere to send clients). */
public final class WebPubSubReadiness extends AbstractHealthCheck {

    private final WebPubSubHealth health;

    public WebPubSubReadiness(WebPubSubHealth health) {
        super("xregion", "webpubsub");
        this.health = health;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        for (InstanceHealth.Snapshot snapshot : health.snapshots()) {
            builder.detail("instance." + snapshot.instance(), snapshot.state().name());
        }
        if (health.healthyInstances().isEmpty()) {
            builder.message("No Web PubSub instance is healthy").down();
        } else {
            builder.up();
        }
    }
}
