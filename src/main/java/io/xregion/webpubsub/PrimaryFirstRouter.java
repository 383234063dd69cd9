package io.xregion.webpubsub;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The default routing choice: a client gets the primary while it is healthy, else the first healthy secondary in
 * preference order; a call goes to every instance its audience includes that is not known DOWN (UNKNOWN ones too: see
 * {@link InstanceSnapshot#callable()}).
 */
public final class PrimaryFirstRouter implements WebPubSubRouter {

    @Override
    public Optional<WebPubSubInstance> negotiateTarget(NegotiateRequest request, List<InstanceSnapshot> instances) {
        InstanceSnapshot firstHealthy = null;
        for (InstanceSnapshot candidate : instances) {
            if (candidate.healthy()) {
                if (candidate.role() == InstanceRole.PRIMARY) {
                    return Optional.of(candidate.instance());
                }
                if (firstHealthy == null) {
                    firstHealthy = candidate;
                }
            }
        }
        return firstHealthy == null ? Optional.empty() : Optional.of(firstHealthy.instance());
    }

    @Override
    public List<WebPubSubInstance> fanoutTargets(WebPubSubRequest request, List<InstanceSnapshot> instances) {
        List<WebPubSubInstance> targets = new ArrayList<>(instances.size());
        for (InstanceSnapshot candidate : instances) {
            if (candidate.callable() && request.audience().includes(candidate.instance())) {
                targets.add(candidate.instance());
            }
        }
        return targets;
    }
}
