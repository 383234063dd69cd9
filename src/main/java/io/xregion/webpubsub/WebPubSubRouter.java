package io.xregion.webpubsub;

import java.util.List;
import java.util.Optional;

/**
 * The routing choice, xregion's counterpart of the Azure SignalR SDK's {@code IEndpointRouter}: which instance a
 * negotiating client is sent to, and which instances a REST call goes to. It is a function of what it is given (the
 * request, and every instance with its role and health in preference order) and keeps no state, so it can be
 * replaced by a bean of your own ({@code xregion.webpubsub.router} names it) and tested without Camel. Extend
 * {@link WebPubSubRouterDecorator} to change one choice and keep the other.
 */
public interface WebPubSubRouter {

    /**
     * The instance this client gets a URL and a token for, or empty when there is none (negotiate then answers 503
     * with Retry-After).
     */
    Optional<WebPubSubInstance> negotiateTarget(NegotiateRequest request, List<InstanceSnapshot> instances);

    /**
     * The instances this call is made on, in preference order. Choose among those the request's
     * {@link WebPubSubRequest#audience() audience} includes: a failback close made on the primary would close the
     * very clients it brings home. The instances the audience includes but that are not chosen are reported skipped.
     */
    List<WebPubSubInstance> fanoutTargets(WebPubSubRequest request, List<InstanceSnapshot> instances);
}
