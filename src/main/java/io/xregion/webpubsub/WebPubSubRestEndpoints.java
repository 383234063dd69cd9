package io.xregion.webpubsub;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The camel-http endpoint URI of each instance's REST API, for POST calls. Requests carry their path and query in
 * headers, so one endpoint (and one connection pool) serves every call to an instance; {@link RestRequestSigner} signs each request
 * for the instance it goes to.
 */
public final class WebPubSubRestEndpoints {

    private final WebPubSubInstances instances;
    private final String options;
    private final Map<String, String> uris = new ConcurrentHashMap<>();
    private final Map<String, WebPubSubInstance> byUri = new ConcurrentHashMap<>();

    /**
     * @param signerBean the registry name of the {@link RestRequestSigner}
     */
    public WebPubSubRestEndpoints(WebPubSubInstances instances, String signerBean, long connectTimeoutMillis,
            long responseTimeoutMillis) {
        this.instances = instances;
        // every call xregion fans out is a POST; naming it here also spares camel-http a costly per-request type
        // conversion of a CamelHttpMethod header
        this.options = "?httpMethod=POST&httpClientConfigurer=#" + signerBean + "&throwExceptionOnFailure=true"
                + "&connectTimeout=" + connectTimeoutMillis + "&responseTimeout=" + responseTimeoutMillis
                + "&connectionRequestTimeout=" + connectTimeoutMillis;
    }

    public String uri(WebPubSubInstance instance) {
        return uris.computeIfAbsent(instance.name(), n -> instance.endpoint() + options);
    }

    /** The endpoint URIs of these instances, for a recipient list. */
    public List<String> uris(List<WebPubSubInstance> instances) {
        List<String> uris = new ArrayList<>(instances.size());
        for (WebPubSubInstance instance : instances) {
            uris.add(uri(instance));
        }
        return uris;
    }

    /** The instance a recipient-list endpoint URI belongs to. */
    public WebPubSubInstance instanceOf(String endpointUri) {
        return byUri.computeIfAbsent(endpointUri, uri -> {
            String authority = URI.create(uri).getRawAuthority();
            return instances.byAuthority(authority)
                    .orElseThrow(() -> new IllegalStateException("no Web PubSub instance at " + authority));
        });
    }
}
