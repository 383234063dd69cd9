package io.xregion.webpubsub;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.webpubsub.FanoutResult.InstanceOutcome;

/**
 * What a fan-out tells about the instances' health: a call that got no answer or a 5xx counts against its instance,
 * as a failed probe does, so an outage can be seen between two probes.
 */
public final class FanoutHealthFeedback {

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.fanout");

    private final WebPubSubHealth health;

    public FanoutHealthFeedback(WebPubSubHealth health) {
        this.health = health;
    }

    /**
     * The fan-out route's step: counts the result's outage signals against their instances, and returns the health
     * changes this caused, or null when there are none (the route announces them, and is spared a split of nothing on
     * every broadcast).
     */
    public List<HealthChange> record(FanoutResult result) {
        List<HealthChange> changes = changes(result);
        return changes.isEmpty() ? null : changes;
    }

    /** Counts the result's outage signals against their instances; returns the health changes this caused. */
    public List<HealthChange> changes(FanoutResult result) {
        List<HealthChange> changes = new ArrayList<>(0);
        for (InstanceOutcome outcome : result.instances().values()) {
            if (outcome.outageSignal()) {
                LOG.warn("Web PubSub instance {} failed a {} call: {}", outcome.instance(), result.operation(),
                        outcome.error());
                HealthChange change = health.callFailed(outcome);
                if (change != null) {
                    changes.add(change);
                }
            }
        }
        return changes;
    }
}
