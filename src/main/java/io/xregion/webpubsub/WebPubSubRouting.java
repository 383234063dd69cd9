package io.xregion.webpubsub;

import java.util.List;

import org.apache.camel.spi.Registry;

import io.xregion.http.ApiException;

/**
 * The routes' side of the routing choice: asks the router that {@code xregion.webpubsub.router} names, with every
 * instance's health as of now, and turns its answers into what the routes use (an instance or none, the instances a
 * call goes to, the 503 of a refused negotiate).
 */
public final class WebPubSubRouting {

    /** The property that names the router bean. */
    public static final String ROUTER_PROPERTY = "xregion.webpubsub.router";

    private final WebPubSubHealth health;
    private final int retryAfterSeconds;
    // set once at start-up, before the routes take requests, when every bean (the user's too) is bound
    private volatile WebPubSubRouter router;

    /**
     * @param retryAfterSeconds what a refused negotiate tells clients to wait: about one health interval
     */
    public WebPubSubRouting(WebPubSubHealth health, int retryAfterSeconds) {
        this.health = health;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Routes with the bean of this name; the message of a failure names the property. */
    public void use(String name, Registry registry) {
        Object bean = registry.lookupByName(name);
        if (bean == null) {
            throw new IllegalStateException(ROUTER_PROPERTY + " names '" + name + "', but no bean of that name is "
                    + "bound: bind a " + WebPubSubRouter.class.getName() + " with @BindToRegistry(\"" + name
                    + "\") or camel.beans." + name + " = #class:...");
        }
        if (!(bean instanceof WebPubSubRouter named)) {
            throw new IllegalStateException(ROUTER_PROPERTY + " names '" + name + "', a "
                    + bean.getClass().getName() + ", which is not a " + WebPubSubRouter.class.getName());
        }
        this.router = named;
    }

    /** The router in use. */
    public WebPubSubRouter router() {
        return router;
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
