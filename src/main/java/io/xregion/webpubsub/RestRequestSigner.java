package io.xregion.webpubsub;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.net.URIAuthority;

import io.xregion.security.AccessKeyJwt;

/**
 * Signs every REST request with an access-key JWT of the instance it goes to: HS256 with that instance's key,
 * {@code aud} = the request URL as sent (what the official SDKs sign), valid for a short while. An instance reached
 * with Microsoft Entra ID ({@code xregion.webpubsub.<instance>.credential}) gets its Entra bearer token instead.
 *
 * <p>A broadcast calls the same URLs again and again, so each URL's token (the URL names its instance) is reused
 * while more than half of its lifetime is left, instead of being minted for every call. At most
 * {@value #CACHED_URLS} URLs are remembered: group and user broadcasts name their target in the URL.
 */
public final class RestRequestSigner implements HttpClientConfigurer {

    private static final int CACHED_URLS = 10_000;

    /** A token and the moment after which a fresh one is minted instead. */
    private record Signed(String authorization, long renewAfterMillis) {
    }

    private final WebPubSubInstances instances;
    private final Duration lifetime;
    private final Clock clock;
    private final Cache<String, Signed> signed = Caffeine.newBuilder().maximumSize(CACHED_URLS).build();
    private final WebPubSubEntraTokens entraTokens;

    public RestRequestSigner(WebPubSubInstances instances, Duration lifetime, Clock clock) {
        this(instances, lifetime, clock, null);
    }

    /**
     * @param entraTokens the bearer tokens of the instances reached with Entra ID, or null when every instance uses
     *                    its key
     */
    public RestRequestSigner(WebPubSubInstances instances, Duration lifetime, Clock clock,
            WebPubSubEntraTokens entraTokens) {
        this.instances = instances;
        this.lifetime = lifetime;
        this.clock = clock;
        this.entraTokens = entraTokens;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addRequestInterceptorLast((request, entity, context) -> sign(request));
    }

    void sign(HttpRequest request) throws HttpException {
        URIAuthority target = request.getAuthority();
        if (target == null) {
            throw new HttpException("request URL names no host");
        }
        // a request may name the scheme's default port that the configured endpoint leaves out
        int port = target.getPort();
        boolean defaultPort = port == -1 || port == 80 || port == 443;
        String authority = defaultPort ? target.getHostName() : target.getHostName() + ":" + port;
        WebPubSubInstance instance = instances.byAuthority(authority)
                .orElseThrow(() -> new HttpException("no Web PubSub instance at " + authority));
        if (instance.credential().entra()) {
            if (entraTokens == null) {
                throw new HttpException("Web PubSub instance '" + instance.name() + "' has no Entra ID token source");
            }
            request.setHeader("Authorization", entraTokens.authorization(instance));
            return;
        }
        String audience = url(request, target);
        long now = clock.millis();
        Signed token = signed.getIfPresent(audience);
        if (token == null || now >= token.renewAfterMillis()) {
            Instant expires = clock.instant().plus(lifetime);
            token = new Signed("Bearer " + AccessKeyJwt.sign(Map.of("aud", audience, "exp", expires.getEpochSecond()),
                    instance.accessKey()), now + lifetime.toMillis() / 2);
            signed.put(audience, token);
        }
        request.setHeader("Authorization", token.authorization());
    }

    /**
     * The request's URL as sent, what the official SDKs sign: assembled as HttpCore 5's {@code getUri()} assembles it,
     * without parsing it into a {@link java.net.URI}, which showed in profiles of the broadcast (JFR).
     */
    private static String url(HttpRequest request, URIAuthority authority) {
        StringBuilder url = new StringBuilder(128).append(request.getScheme() == null ? "http" : request.getScheme())
                .append("://").append(authority.getHostName());
        if (authority.getPort() >= 0) {
            url.append(':').append(authority.getPort());
        }
        String path = request.getPath();
        if (path == null) {
            return url.append('/').toString();
        }
        if (!path.startsWith("/")) {
            url.append('/');
        }
        return url.append(path).toString();
    }
}
