package io.xregion.webpubsub;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The camel-http endpoint URI of each instance's REST API. Requests carry their path and query in headers, so one
 * endpoint (and one connection pool) serves every call to an instance; {@link RestRequestSigner} signs each request
 * for the instance it goes to.
 */
public final class WebPubSubRestEndpoints {

    private final WebPubSubInstances instances;
    private final String options;
    private final Map<String, String> uris = new ConcurrentHashMap<>();

    /**
     * @param signerBean the registry name of the {@link RestRequestSigner}
     */
    public WebPubSubRestEndpoints(WebPubSubInstances instances, String signerBean, long connectTimeoutMillis,
            long responseTimeoutMillis) {
        this.instances = instances;
        this.options = "?httpClientConfigurer=#" + signerBean + "&throwExceptionOnFailure=true"
                + "&connectTimeout=" + connectTimeoutMillis + "&responseTimeout=" + responseTimeoutMillis
                + "&connectionRequestTimeout=" + connectTimeoutMillis;
    }

    public String uri(WebPubSubInstance instance) {
        return uris.computeIfAbsent(instance.name(), n -> instance.endpoint() + options);
    }

    /** The instance a recipient-list endpoint URI belongs to. */
    public WebPubSubInstance instanceOf(String endpointUri) {
        String authority = URI.create(endpointUri).getRawAuthority();
        return instances.byAuthority(authority)
                .orElseThrow(() -> new IllegalStateException("no Web PubSub instance at " + authority));
    }
}
