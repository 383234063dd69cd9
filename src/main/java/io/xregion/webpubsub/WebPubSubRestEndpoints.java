package io.xregion.webpubsub;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The camel-http endpoint URI of each instance's REST API, for POST calls. Requests carry their path and query in
 * headers, so one endpoint (and one connection pool) serves every call to an instance; {@link RestRequestSigner} signs each request
 * for the instance it goes to.
 */
public final class WebPubSubRestEndpoints {

    private final WebPubSubInstances instances;
    private final String options;
    private final Map<String, String> uris = new ConcurrentHashMap<>();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<String, WebPubSubInstance> byUri = new ConcurrentHashMap<>();

    /**
     * @param signerBean the registry name of the {@link RestRequestSigner}
     */
    /**
     * @param otherInstancesWaitMillis how long a fan-out waits for the other instances once one accepted: also the
     *                                 longest a call waits for one of its instance's pooled connections, so an
     *                                 instance whose connections all hang (it stopped answering) costs a further call no
     *                                 more than the fan-out would wait for it anyway
     */
    public WebPubSubRestEndpoints(WebPubSubInstances instances, String signerBean, long connectTimeoutMillis,
            long responseTimeoutMillis, long otherInstancesWaitMillis) {
        this.instances = instances;
        // every call xregion fans out is a POST; naming it here also spares camel-http a costly per-request type
        // conversion of a CamelHttpMethod header
        // An outcome is the answer's status, nothing else: camel-http neither reads the (empty) body into a stream
        // cache, nor maps the answer's headers, nor copies the request's headers onto the answer, and clears no expired
        // cookies (Web PubSub sets none). Together with the HttpClient steps switched off in application.properties
        // that was a sixth of the broadcast API's cost in the Web PubSub benchmark (JFR).
        this.options = "?httpMethod=POST&httpClientConfigurer=#" + signerBean + "&throwExceptionOnFailure=true"
                + "&ignoreResponseBody=true&skipResponseHeaders=true&copyHeaders=false&clearExpiredCookies=false"
                + "&connectTimeout=" + connectTimeoutMillis + "&responseTimeout=" + responseTimeoutMillis
                + "&connectionRequestTimeout=" + Math.min(connectTimeoutMillis, otherInstancesWaitMillis);
    }

    public String uri(WebPubSubInstance instance) {
        return uris.computeIfAbsent(instance.name(), n -> instance.endpoint() + options);
    }

    /**
     * The endpoints of these instances, for the fan-out's calls: resolved once per instance, since resolving a URI
     * (normalising and looking it up) on every call showed in profiles of the broadcast.
     */
    public List<Endpoint> endpoints(List<WebPubSubInstance> instances, CamelContext camel) {
        List<Endpoint> resolved = new ArrayList<>(instances.size());
        for (WebPubSubInstance instance : instances) {
            resolved.add(endpoints.computeIfAbsent(instance.name(), n -> camel.getEndpoint(uri(instance))));
        }
        return resolved;
    }

    /**
     * The fan-out route's first step: every header but Content-Type removed, so nothing of the caller's request
     * reaches Web PubSub. Java rather than {@code removeHeaders} with an {@code excludePattern}: Camel 4.17 matches
     * each header against the exclude pattern as a regular expression compiled anew
     * ({@code PatternHelper.matchRegex}), and a message received from Service Bus carries some twenty headers (1.5 %
     * of an app server's CPU at 100 msg/s, JFR, the install benchmark).
     */
    public void keepContentTypeOnly(Exchange exchange) {
        Message message = exchange.getMessage();
        Object contentType = message.getHeader(Exchange.CONTENT_TYPE);
        message.getHeaders().clear();
        if (contentType != null) {
            message.setHeader(Exchange.CONTENT_TYPE, contentType);
        }
    }

    /** The instance an endpoint URI belongs to. */
    public WebPubSubInstance instanceOf(String endpointUri) {
        return byUri.computeIfAbsent(endpointUri, uri -> {
            String authority = URI.create(uri).getRawAuthority();
            return instances.byAuthority(authority)
                    .orElseThrow(() -> new IllegalStateException("no Web PubSub instance at " + authority));
        });
    }
}
