package io.xregion.webpubsub;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Header;
import org.apache.camel.Variable;

import io.xregion.http.ApiException;
import io.xregion.identity.ClientIdentity;
import io.xregion.security.AccessKeyJwt;

/**
 * Client access for negotiate: a token minted locally with the chosen instance's own key (only that key's
 * signature opens a connection there), placing the client in its home group; for an instance reached with
 * Microsoft Entra ID (no key), the same token from the service's {@code :generateToken}
 * ({@link GeneratedClientTokens}).
 */
public final class ClientAccess {

    private static final int MAX_USER_ID = 1024;

    private final String hub;
    private final HomeGroups homeGroups;
    private final Duration lifetime;
    private final List<String> roles;
    private final Clock clock;
    /** Tokens from the service itself, for instances reached with Entra ID (no key); null when all have keys. */
    private final GeneratedClientTokens generatedTokens;

    public ClientAccess(String hub, HomeGroups homeGroups, Duration lifetime, List<String> roles, Clock clock) {
        this(hub, homeGroups, lifetime, roles, clock, null);
    }

    public ClientAccess(String hub, HomeGroups homeGroups, Duration lifetime, List<String> roles, Clock clock,
            GeneratedClientTokens generatedTokens) {
        this.generatedTokens = generatedTokens;
        this.hub = hub;
        this.homeGroups = homeGroups;
        this.lifetime = lifetime;
        this.roles = List.copyOf(roles);
        this.clock = clock;
    }

    /**
     * The negotiate answer {@code {"url": "wss://...", "region": "...", "home": "..."}}, as JSON: {@code home} is the
     * client's home region (variable {@value ClientHome#HOME}, else this app server's primary), which a client keeps
     * and sends on later negotiates ({@code ?home=}) so that it still counts as that region's after a failover. The
     * identity (when negotiate's gate established one) adds its roles and groups to the token.
     */
    public String negotiate(@Variable(WebPubSubRouting.INSTANCE) WebPubSubInstance instance,
            @Header("userId") Object userId, @Variable(ClientHome.HOME) String home,
            @Variable(ClientIdentity.VARIABLE) ClientIdentity identity) {
        String clientHome = home == null ? homeGroups.home() : home;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("url", clientUrl(instance, validUserId(userId), clientHome,
                identity == null ? List.of() : identity.roles(), identity == null ? List.of() : identity.groups()));
        answer.put("region", instance.name());
        answer.put("home", clientHome);
        return io.xregion.http.ApiErrors.json(answer);
    }

    /**
     * The client URL with its access token: the configured roles and a home group of {@code home}, plus the
     * identity's own roles and groups.
     */
    private String clientUrl(WebPubSubInstance instance, String userId, String home, List<String> extraRoles,
            List<String> extraGroups) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", instance.clientAudience(hub));
        claims.put("exp", clock.instant().plus(lifetime).getEpochSecond());
        if (userId != null) {
            claims.put("sub", userId);
        }
        List<String> granted = java.util.stream.Stream.concat(roles.stream(), extraRoles.stream()).distinct().toList();
        if (!granted.isEmpty()) {
            claims.put("role", granted);
        }
        List<String> groups = new java.util.ArrayList<>(List.of(homeGroups.groupFor(home, userId)));
        extraGroups.stream().filter(g -> !groups.contains(g)).forEach(groups::add);
        claims.put("webpubsub.group", groups);
        String token = instance.accessKey() != null ? AccessKeyJwt.sign(claims, instance.accessKey())
                : generatedTokens().token(instance, hub, claims);
        return instance.clientUrl(hub) + "?access_token=" + queryValue(token);
    }

    /**
     * A token as a query value: a JWT is base64url parts and dots, none of which needs percent-encoding, and
     * URLEncoder's pass over it was an eighth of the token's cost in the Web PubSub benchmark's negotiate (JFR).
     */
    static String queryValue(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean unreserved = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
                    || c == '_' || c == '.';
            if (!unreserved) {
                return URLEncoder.encode(token, StandardCharsets.UTF_8);
            }
        }
        return token;
    }

    private GeneratedClientTokens generatedTokens() {
        if (generatedTokens == null) {
            throw new IllegalStateException("an instance without an access key needs generated client tokens");
        }
        return generatedTokens;
    }

    /** No userId means an anonymous client; a present one must be usable as a Web PubSub user id. */
    static String validUserId(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String userId)) {
            throw ApiException.badRequest("userId must be given once");
        }
        if (userId.isBlank() || userId.length() > MAX_USER_ID) {
            throw ApiException.badRequest("userId must be 1 to " + MAX_USER_ID + " characters and not blank");
        }
        if (userId.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("userId must not contain control characters");
        }
        // the query decoder turns percent-encoded bytes that are not UTF-8 into U+FFFD
        if (userId.indexOf('\uFFFD') >= 0) {
            throw ApiException.badRequest("userId must be percent-encoded UTF-8");
        }
        return userId;
    }
}
