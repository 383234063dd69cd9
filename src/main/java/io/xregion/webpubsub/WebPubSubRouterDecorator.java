package io.xregion.webpubsub;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The seam for routers of your own, as the Azure SignalR SDK's {@code EndpointRouterDecorator} is: extend it,
 * override the choice you change, and leave the other to the router it decorates (by default the
 * {@link PrimaryFirstRouter}). {@link PinnedUsersRouter} is an example.
 */
public abstract class WebPubSubRouterDecorator implements WebPubSubRouter {

    private final WebPubSubRouter inner;

    /** Decorates the default router. */
    protected WebPubSubRouterDecorator() {
        this(new PrimaryFirstRouter());
    }

    protected WebPubSubRouterDecorator(WebPubSubRouter inner) {
        this.inner = Objects.requireNonNull(inner, "the router to decorate");
    }

    @Override
    public Optional<WebPubSubInstance> negotiateTarget(NegotiateRequest request, List<InstanceSnapshot> instances) {
        return inner.negotiateTarget(request, instances);
    }

    @Override
    public List<WebPubSubInstance> fanoutTargets(WebPubSubRequest request, List<InstanceSnapshot> instances) {
        return inner.fanoutTargets(request, instances);
    }
}
