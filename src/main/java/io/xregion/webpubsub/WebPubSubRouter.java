package io.xregion.webpubsub;

import java.util.List;

import org.apache.camel.Exchange;

import io.xregion.http.ApiException;

/**
 * The routing choice: which instance a client is sent to, and which instances a REST call goes to. It reads health
 * and never changes it.
 */
public final class WebPubSubRouter {

    /** The exchange variable that lists the instances a fan-out was sent to. */
    public static final String TARGETS = "targets";

    private final WebPubSubInstances instances;
    private final WebPubSubHealth health;
    private final WebPubSubRestEndpoints endpoints;
    private final int retryAfterSeconds;

    /**
     * @param retryAfterSeconds what a refused negotiate tells clients to wait: about one health interval
     */
    public WebPubSubRouter(WebPubSubInstances instances, WebPubSubHealth health, WebPubSubRestEndpoints endpoints,
            int retryAfterSeconds) {
        this.instances = instances;
        this.health = health;
        this.endpoints = endpoints;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Refuses a negotiate when no instance is healthy: 503 with Retry-After. */
    public void noHealthyInstance() {
        throw new ApiException(503, "NoHealthyInstance", "No Web PubSub instance is healthy; retry shortly",
                retryAfterSeconds);
    }

    /** The primary while it is healthy, else the first healthy secondary in preference order, else null. */
    public WebPubSubInstance negotiateTarget() {
        if (health.healthy(instances.primary().name())) {
            return instances.primary();
        }
        for (WebPubSubInstance secondary : instances.secondaries()) {
            if (health.healthy(secondary.name())) {
                return secondary;
            }
        }
        return null;
    }

    /**
     * The endpoint URIs of the instances that get this request, for the recipient list; the chosen instances' names
     * go into the {@value #TARGETS} variable so the outcome can tell skipped ones from timed-out ones.
     */
    public List<String> recipients(WebPubSubRequest request, Exchange exchange) {
        List<WebPubSubInstance> chosen = health.healthyInstances().stream()
                .filter(request.audience()::includes)
                .toList();
        exchange.setVariable(TARGETS, chosen.stream().map(WebPubSubInstance::name).toList());
        return chosen.stream().map(endpoints::uri).toList();
    }
}
