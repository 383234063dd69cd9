package io.xregion.webpubsub;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Header;

import org.apache.camel.spi.Registry;

import io.xregion.health.HealthState;
import io.xregion.http.ApiException;

/**
 * The routes' side of the routing choice: asks the router that {@code xregion.webpubsub.router} names, with every
 * instance's health as of now, and turns its answers into what the routes use (an instance or none, the instances a
 * call goes to, the 503 of a refused negotiate).
 */
public final class WebPubSubRouting {

    /** The variable that holds the instance a negotiating client is sent to. */
    public static final String INSTANCE = "instance";

    /** The negotiate query parameter naming an instance the client has just lost. */
    public static final String AVOID = "avoid";

    /** The property that names the router bean. */
    public static final String ROUTER_PROPERTY = "xregion.webpubsub.router";

    private final WebPubSubHealth health;
    private final WebPubSubInstances instances;
    private final int retryAfterSeconds;
    // set once at start-up, before the routes take requests, when every bean (the user's too) is bound
    private volatile WebPubSubRouter router;

    /**
     * @param retryAfterSeconds what a refused negotiate tells clients to wait: about one health interval
     */
    public WebPubSubRouting(WebPubSubHealth health, WebPubSubInstances instances, int retryAfterSeconds) {
        this.health = health;
        this.instances = instances;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The instance {@code ?avoid=} names (none when absent); 400 when it is given twice or names no instance. */
    WebPubSubInstance avoided(Object given) {
        if (given == null) {
            return null;
        }
        if (!(given instanceof String name) || !WebPubSubInstances.validName(name)) {
            throw ApiException.badRequest("avoid must be given once, the name of a Web PubSub instance");
        }
        return instances.byName(name).orElseThrow(() -> ApiException.badRequest("avoid names no Web PubSub "
                + "instance of this app server"));
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
        return negotiateTarget(userId, null);
    }

    /**
     * The instance a negotiating client is sent to, or null when there is none; {@code avoid}, when it names an
     * instance, is one the client has just lost (its connection dropped or went silent, or would not open): the router
     * sees it DOWN for this choice, unless no other instance is UP. A client learns that an instance stopped answering
     * before this app server's probes can (a silent instance takes them up to interval + failure-threshold × timeout),
     * and it would otherwise be handed the lost instance again meanwhile.
     */
    public WebPubSubInstance negotiateTarget(Object userId, WebPubSubInstance avoid) {
        NegotiateRequest request = new NegotiateRequest(userId instanceof String name ? name : null);
        List<InstanceSnapshot> instances = health.current();
        if (avoid != null && instances.stream().anyMatch(i -> i.healthy() && !i.instance().equals(avoid))) {
            instances = instances.stream().map(i -> i.instance().equals(avoid)
                    ? new InstanceSnapshot(i.instance(), io.xregion.health.HealthState.DOWN) : i).toList();
        }
        return router.negotiateTarget(request, instances).orElse(null);
    }

    /**
     * The negotiate route's step: the instance the client is sent to into the variable {@value #INSTANCE}, or no
     * such variable when there is none.
     */
    public void chooseNegotiateTarget(@Header("userId") Object userId, @Header(AVOID) Object avoid,
            Exchange exchange) {
        WebPubSubInstance instance = negotiateTarget(userId, avoided(avoid));
        if (instance == null) {
            exchange.removeVariable(INSTANCE);
        } else {
            exchange.setVariable(INSTANCE, instance);
        }
    }

    /** Refuses a negotiate when the router found no instance: 503 with Retry-After. */
    public void noHealthyInstance() {
        throw new ApiException(503, "NoHealthyInstance", "No Web PubSub instance is healthy; retry shortly",
                retryAfterSeconds);
    }

    /**
     * The instances a fanned-out call is made on. When every instance is known DOWN at once, the router sees them all
     * as UNKNOWN (called): that is more often this app server's own trouble (its probes starved by a cold start, a long
     * pause or a saturated host) than every region lost, and calling none would hold every message back for a
     * processing retry. A call to an instance truly down fails at once or is answered pending, and the message is
     * tried again as before. The same idea as a load balancer's panic threshold (Envoy's, for instance).
     */
    public List<WebPubSubInstance> fanoutTargets(WebPubSubRequest request) {
        List<InstanceSnapshot> instances = health.current();
        if (!instances.isEmpty() && instances.stream().allMatch(i -> i.state() == HealthState.DOWN)) {
            instances = instances.stream().map(i -> new InstanceSnapshot(i.instance(), HealthState.UNKNOWN)).toList();
        }
        return router.fanoutTargets(request, instances);
    }
}
