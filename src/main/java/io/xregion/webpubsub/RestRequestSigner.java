package io.xregion.webpubsub;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;

import io.xregion.security.Hs256Jwt;

/**
 * Signs every REST request with an access-key JWT of the instance it goes to: HS256 with that instance's key,
 * {@code aud} = the request URL as sent (what the official SDKs sign), valid for a short while.
 */
public final class RestRequestSigner implements HttpClientConfigurer {

    private final WebPubSubInstances instances;
    private final Duration lifetime;
    private final Clock clock;

    public RestRequestSigner(WebPubSubInstances instances, Duration lifetime, Clock clock) {
        this.instances = instances;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addRequestInterceptorLast((request, entity, context) -> sign(request));
    }

    void sign(HttpRequest request) throws HttpException {
        URI url;
        try {
            url = request.getUri();
        } catch (URISyntaxException e) {
            throw new HttpException("request URL is not valid: " + e.getMessage());
        }
        // a request may name the scheme's default port that the configured endpoint leaves out
        boolean defaultPort = url.getPort() == -1 || url.getPort() == 80 || url.getPort() == 443;
        String authority = defaultPort ? url.getHost() : url.getHost() + ":" + url.getPort();
        WebPubSubInstance instance = instances.byAuthority(authority)
                .orElseThrow(() -> new HttpException("no Web PubSub instance at " + authority));
        String token = Hs256Jwt.sign(Map.of("aud", url.toString(),
                "exp", clock.instant().plus(lifetime).getEpochSecond()), instance.accessKey());
        request.setHeader("Authorization", "Bearer " + token);
    }
}
