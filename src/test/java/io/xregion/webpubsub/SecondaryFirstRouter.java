package io.xregion.webpubsub;

import java.util.List;
import java.util.Optional;

import org.apache.camel.BindToRegistry;

/**
 * A router as a user writes one in Java: new clients go to the first healthy secondary (to drain the primary before
 * maintenance, say), or where the default router sends them when none is. Camel binds it at start-up because it
 * sits below the app's package (io.xregion); PluggableRouterTest names it.
 */
@BindToRegistry("secondaryFirstRouter")
public class SecondaryFirstRouter extends WebPubSubRouterDecorator {

    @Override
    public Optional<WebPubSubInstance> negotiateTarget(NegotiateRequest request, List<InstanceSnapshot> instances) {
        return instances.stream().filter(i -> i.role() == InstanceRole.SECONDARY && i.healthy())
                .map(InstanceSnapshot::instance).findFirst()
                .or(() -> super.negotiateTarget(request, instances));
    }
}
