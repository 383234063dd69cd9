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

    /** UP: the default router hands out no other instance to a negotiating client. */
    public boolean healthy() {
        return state == HealthState.UP;
    }

    /**
     * Not known DOWN: UP, or UNKNOWN before its first probe. The default router calls such an instance (a broadcast, a
     * failback close), since a call is bounded and its outcome feeds health, while skipping it would lose what an
     * app server that has just started sends in its first second: the messages it reads at once, its own failback.
     */
    public boolean callable() {
        return state != HealthState.DOWN;
    }
}
