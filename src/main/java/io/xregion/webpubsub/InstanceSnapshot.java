package io.xregion.webpubsub;

import io.xregion.health.HealthState;

/**
 * An instance as a routing choice sees it: what it is (name, endpoint, role) and what the app server believed about
 * its health when the choice was made.
 */
public record InstanceSnapshot(WebPubSubInstance instance, HealthState state) {

    public String name() {
        return instance.name();
    }

    public InstanceRole role() {
        return instance.role();
    }

    /** UP; an instance that is DOWN, or UNKNOWN before its first probe, gets no traffic from the default router. */
    public boolean healthy() {
        return state == HealthState.UP;
    }
}
