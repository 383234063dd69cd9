package io.xregion.webpubsub;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.xregion.webpubsub.FanoutResult.InstanceOutcome;
import io.xregion.webpubsub.FanoutResult.InstanceOutcome.Status;

/**
 * What a fan-out comes to: every instance's outcome in preference order, and whether the caller is answered 202 or,
 * when no instance accepted, 503.
 */
public final class FanoutResults {

    private final WebPubSubInstances instances;
    private final WebPubSubHealth health;

    public FanoutResults(WebPubSubInstances instances, WebPubSubHealth health) {
        this.instances = instances;
        this.health = health;
    }

    /**
     * The instances that answered, the targets whose calls were still in flight at the fan-out's deadline (pending),
     * and the instances the request was meant for but that were not called, as skipped.
     */
    public FanoutResult of(WebPubSubRequest request, List<WebPubSubInstance> targets, Map<String, InstanceOutcome> answered) {
        Map<String, InstanceOutcome> ordered = new LinkedHashMap<>();
        for (WebPubSubInstance instance : instances.all()) {
            String name = instance.name();
            InstanceOutcome outcome = answered.get(name);
            if (outcome != null) {
                ordered.put(name, outcome);
            } else if (targets.contains(instance)) {
                ordered.put(name, new InstanceOutcome(name, Status.PENDING, null,
                        "no answer within the fan-out's deadline; the call goes on"));
            } else if (request.audience().includes(instance)) {
                ordered.put(name, new InstanceOutcome(name, Status.SKIPPED, null,
                        "not healthy (" + health.state(name).name().toLowerCase(Locale.ROOT) + ")"));
            }
        }
        return FanoutResult.of(request.operation(), ordered);
    }

    /** A broadcast that no instance accepted is a 503 whose body still names each instance's outcome. */
    public FanoutResult requireAccepted(FanoutResult result) {
        if (result.accepted() == 0) {
            throw new NoInstanceAccepted(result);
        }
        return result;
    }
}
