package io.xregion.webpubsub;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.xregion.http.ApiException;

/**
 * Client tokens for instances reached with Microsoft Entra ID, which give xregion no key to sign them with: the
 * service mints them, through its {@code POST /api/hubs/{hub}/:generateToken} REST call (what the official SDKs'
 * getClientAccessToken does without a key), authorised with the instance's Entra bearer token.
 *
 * <p>Negotiate is called for the same users again and again, so each answer is kept per instance, user, roles and
 * groups, and handed out again while more than half of its lifetime is left; at most {@value #CACHED} are kept. A
 * failed call is a 503 for the caller (the client may negotiate again), naming the instance and the status, never
 * a token.
 */
public final class GeneratedClientTokens {

    private static final int CACHED = 100_000;
    private static final String API_VERSION = "2024-01-01";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Key(String instance, String userId, List<String> roles, List<String> groups) {
    }

    private record Issued(String token, long renewAfterMillis) {
    }

    private final WebPubSubEntraTokens entraTokens;
    private final Duration lifetime;
    private final Duration responseTimeout;
    private final Clock clock;
    private final HttpClient http;
    private final Cache<Key, Issued> issued = Caffeine.newBuilder().maximumSize(CACHED).build();

    public GeneratedClientTokens(WebPubSubEntraTokens entraTokens, Duration lifetime, Duration connectTimeout,
            Duration responseTimeout, Clock clock) {
        this.entraTokens = entraTokens;
        // the service counts in whole minutes, at least one
        this.lifetime = Duration.ofMinutes(Math.max(1, lifetime.toMinutes()));
        this.responseTimeout = responseTimeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * A client token for these claims ({@code sub}, {@code role}, {@code webpubsub.group}, as a locally signed token
     * would carry them) from the instance itself.
     */
    @SuppressWarnings("unchecked")
    public String token(WebPubSubInstance instance, String hub, Map<String, Object> claims) {
        String userId = (String) claims.get("sub");
        List<String> roles = claims.get("role") instanceof List<?> list ? (List<String>) list : List.of();
        List<String> groups = claims.get("webpubsub.group") instanceof List<?> list ? (List<String>) list
                : List.of();
        Key key = new Key(instance.name(), userId, List.copyOf(roles), List.copyOf(groups));
        long now = clock.millis();
        Issued known = issued.getIfPresent(key);
        if (known != null && now < known.renewAfterMillis()) {
            return known.token();
        }
        String token = generate(instance, hub, key);
        issued.put(key, new Issued(token, now + lifetime.toMillis() / 2));
        return token;
    }

    private String generate(WebPubSubInstance instance, String hub, Key key) {
        StringBuilder query = new StringBuilder("?api-version=").append(API_VERSION)
                .append("&minutesToExpire=").append(lifetime.toMinutes());
        if (key.userId() != null) {
            query.append("&userId=").append(encode(key.userId()));
        }
        key.roles().forEach(role -> query.append("&role=").append(encode(role)));
        key.groups().forEach(group -> query.append("&group=").append(encode(group)));
        URI uri = URI.create(instance.endpoint() + "/api/hubs/" + encode(hub) + "/:generateToken" + query);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(responseTimeout)
                .header("Authorization", entraTokens.authorization(instance))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unavailable(instance, "cannot be reached (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(instance, "was interrupted");
        }
        if (response.statusCode() != 200) {
            throw unavailable(instance, "answered " + response.statusCode());
        }
        try {
            JsonNode token = JSON.readTree(response.body()).get("token");
            if (token == null || !token.isTextual() || token.asText().isEmpty()) {
                throw unavailable(instance, "answered without a token");
            }
            return token.asText();
        } catch (IOException e) {
            throw unavailable(instance, "answered something that is not JSON");
        }
    }

    private static ApiException unavailable(WebPubSubInstance instance, String what) {
        return new ApiException(503, "ClientTokenUnavailable", "Web PubSub instance '" + instance.name()
                + "' gave no client token: its :generateToken call " + what, 1);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
