package io.xregion.webpubsub;

import java.time.Clock;
import java.time.Instant;
import io.xregion.health.HealthState;

/**
 * The health state machine of one instance: it takes {@code failureThreshold} failures in a row to go DOWN and
 * {@code successThreshold} successes in a row to come back UP, so one lost probe does not flap. The first result
 * decides from UNKNOWN at once, so a restarted app server does not hand out a dead instance.
 */
public final class InstanceHealth {

    private final String instance;
    private final int failureThreshold;
    private final int successThreshold;
    private final Clock clock;

    private HealthState state = HealthState.UNKNOWN;
    private int failuresInARow;
    private int successesInARow;
    private String lastError;
    private Instant since;

    public InstanceHealth(String instance, int failureThreshold, int successThreshold, Clock clock) {
        if (failureThreshold < 1 || successThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be at least 1");
        }
        this.instance = instance;
        this.failureThreshold = failureThreshold;
        this.successThreshold = successThreshold;
        this.clock = clock;
        this.since = clock.instant();
    }

    /** Records a successful probe; returns the change it caused, or null. */
    public synchronized HealthChange success() {
        failuresInARow = 0;
        successesInARow++;
        if (state == HealthState.UNKNOWN || state == HealthState.DOWN && successesInARow >= successThreshold) {
            return moveTo(HealthState.UP);
        }
        return null;
    }

    /** Records a failed probe or a failed call; returns the change it caused, or null. */
    public synchronized HealthChange failure(String error) {
        successesInARow = 0;
        failuresInARow++;
        lastError = error;
        if (state == HealthState.UNKNOWN || state == HealthState.UP && failuresInARow >= failureThreshold) {
            return moveTo(HealthState.DOWN);
        }
        return null;
    }

    /** True while the latest results disagree with the state but have not reached the threshold yet. */
    public synchronized boolean unsettled() {
        return state == HealthState.UP && failuresInARow > 0 || state == HealthState.DOWN && successesInARow > 0;
    }

    public synchronized HealthState state() {
        return state;
    }

    public synchronized boolean healthy() {
        return state == HealthState.UP;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(instance, state, since, lastError);
    }

    private HealthChange moveTo(HealthState next) {
        HealthState previous = state;
        state = next;
        since = clock.instant();
        failuresInARow = 0;
        successesInARow = 0;
        return new HealthChange(instance, previous, next, next == HealthState.DOWN ? lastError : null);
    }

    /** A consistent view for state pages and readiness. */
    public record Snapshot(String instance, HealthState state, Instant since, String lastError) {
    }
}
