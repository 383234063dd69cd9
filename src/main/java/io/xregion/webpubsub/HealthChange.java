package io.xregion.webpubsub;

import io.xregion.health.HealthState;

/** An instance moved from one health state to another. */
public record HealthChange(String instance, HealthState from, HealthState to) {

    /** A recovery from an outage, not the first verdict after start-up. */
    public boolean recovered() {
        return from == HealthState.DOWN && to == HealthState.UP;
    }
}
