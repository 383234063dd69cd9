package io.xregion.webpubsub;

import java.util.List;

import io.xregion.http.ApiException;

/**
 * The routes' side of the routing choice: asks the router with every instance's health as of now, and turns its
 * answers into what the routes use (an instance or none, the instances a call goes to, the 503 of a refused
 * negotiate).
 */
public final class WebPubSubRouting {

    private final WebPubSubHealth health;
    private final WebPubSubRouter router;
    private final int retryAfterSeconds;

    /**
     * @param retryAfterSeconds what a refused negotiate tells clients to wait: about one health interval
     */
    public WebPubSubRouting(WebPubSubHealth health, WebPubSubRouter router, int retryAfterSeconds) {
        this.health = health;
        this.router = router;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The instance a negotiating client is sent to, or null when there is none. */
    public WebPubSubInstance negotiateTarget(Object userId) {
        NegotiateRequest request = new NegotiateRequest(userId instanceof String name ? name : null);
        return router.negotiateTarget(request, health.current()).orElse(null);
    }

    /** Refuses a negotiate when the router found no instance: 503 with Retry-After. */
    public void noHealthyInstance() {
        throw new ApiException(503, "NoHealthyInstance", "No Web PubSub instance is healthy; retry shortly",
                retryAfterSeconds);
    }

    /** The instances a fanned-out call is made on. */
    public List<WebPubSubInstance> fanoutTargets(WebPubSubRequest request) {
        return router.fanoutTargets(request, health.current());
    }
}
