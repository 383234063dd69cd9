package io.xregion.webpubsub;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
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

    /** The variable {@link #record} puts the health changes in, when there are any. */
    public static final String CHANGES = "changes";

    /**
     * The fan-out route's step: counts the result's outage signals against their instances, and puts the health
     * changes this caused, if any, in the variable {@value #CHANGES} (removed when there are none).
     */
    public void record(@Body FanoutResult result, Exchange exchange) {
        List<HealthChange> changes = changes(result);
        if (changes.isEmpty()) {
            exchange.removeVariable(CHANGES);
        } else {
            exchange.setVariable(CHANGES, changes);
        }
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
