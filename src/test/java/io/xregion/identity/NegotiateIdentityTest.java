package io.xregion.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.HttpCalls.Answer;
import io.xregion.testing.LocalOpenIdIssuer;
import io.xregion.testing.LogCapture;
import io.xregion.testing.NimbusTokens;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Negotiate behind a verified identity, on the production profile: Bearer tokens of a local OpenID issuer (every
 * kind of bad token, a key rotation), a trusted front's header, the refusal to start anonymous, and the rate limit.
 */
@Tag("slow")
class NegotiateIdentityTest {

    private static final String AUDIENCE = "api://xregion";

    private static ExternalServices services;
    private static LocalOpenIdIssuer issuer;
    private static RunningApp app;
    private static LogCapture logs;

    @BeforeAll
    static void start() {
        services = new ExternalServices();
        issuer = new LocalOpenIdIssuer();
        logs = LogCapture.begin();
        Map<String, String> settings = prod();
        settings.remove("xregion.webpubsub.negotiate.allow-anonymous");
        settings.put("xregion.webpubsub.negotiate.identity", "jwt");
        settings.put("xregion.webpubsub.negotiate.jwt.issuer", issuer.issuer());
        settings.put("xregion.webpubsub.negotiate.jwt.audience", "api://other," + AUDIENCE);
        settings.put("xregion.webpubsub.negotiate.jwt.user-claim", "oid");
        settings.put("xregion.webpubsub.negotiate.jwt.roles-claim", "roles");
        settings.put("xregion.webpubsub.negotiate.jwt.role-mapping",
                "Chat.Moderator=webpubsub.sendToGroup|webpubsub.joinLeaveGroup,Chat.Reader=webpubsub.joinLeaveGroup");
        settings.put("xregion.webpubsub.negotiate.jwt.groups-claim", "groups");
        settings.put("xregion.webpubsub.negotiate.jwt.jwks-refresh-interval-ms", "100");
        app = ready(RunningApp.start(settings));
    }

    @AfterAll
    static void stop() {
        app.close();
        issuer.close();
        services.close();
        logs.close();
    }

    private static Map<String, String> prod() {
        return new HashMap<>(services.productionSettings());
    }

    private static Answer negotiate(RunningApp target, String query, Map<String, String> headers) {
        return HttpCalls.call("GET", target.url("/negotiate" + query), headers, null);
    }

    /** Ready (an instance is healthy) without calling negotiate, whose calls the rate limit counts. */
    private static RunningApp ready(RunningApp target) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(
                () -> HttpCalls.get(target.managementUrl("/observe/health/ready")).status() == 200);
        return target;
    }

    private static Answer withToken(String token) {
        return negotiate(app, "", Map.of("Authorization", "Bearer " + token));
    }

    private static JsonNode claimsOfUrl(Answer answer) throws Exception {
        String token = answer.json().get("url").asText().replaceAll(".*access_token=", "");
        return WsClient.JSON.readTree(SignedJWT.parse(token).getPayload().toString());
    }

    @Test
    void aVerifiedTokenNamesTheUserItsRolesAndGroupsAndTheQueryCannotOverrideThem() throws Exception {
        String token = issuer.token(AUDIENCE, Map.of("oid", "user-1", "roles", List.of("Chat.Moderator", "Other"),
                "groups", List.of("team-a")));
        Answer answer = negotiate(app, "?userId=someone-else", Map.of("Authorization", "Bearer " + token));
        assertEquals(200, answer.status(), answer.body());
        JsonNode claims = claimsOfUrl(answer);
        assertEquals("user-1", claims.get("sub").asText());
        assertEquals(List.of("webpubsub.sendToGroup", "webpubsub.joinLeaveGroup"),
                WsClient.JSON.convertValue(claims.get("role"), List.class));
        List<?> groups = WsClient.JSON.convertValue(claims.get("webpubsub.group"), List.class);
        assertEquals(2, groups.size(), groups.toString());
        assertTrue(groups.get(0).toString().startsWith("xregion.home.eastus."), groups.toString());
        assertEquals("team-a", groups.get(1));
        try (WsClient client = WsClient.connect(answer.json().get("url").asText(), "json.webpubsub.azure.v1")) {
            assertEquals("user-1", client.nextJson(Duration.ofSeconds(5)).get("userId").asText());
        }
        assertFalse(logs.text().contains(token), "a token was logged");
    }

    @Test
    void withoutATokenNegotiateAnswers401WithAChallenge() {
        for (Answer refused : List.of(negotiate(app, "?userId=alice", Map.of()),
                negotiate(app, "", Map.of("Authorization", "Basic YWxpY2U6cHc=")))) {
            assertEquals(401, refused.status(), refused.body());
            assertEquals("Unauthenticated", refused.json().get("error").get("code").asText());
            assertEquals("Bearer realm=\"xregion\"", refused.header("WWW-Authenticate"));
        }
    }

    @Test
    void everyKindOfBadTokenIsRefusedWith401AndNeverEchoed() {
        Date past = Date.from(Instant.now().minusSeconds(600));
        JWTClaimsSet valid = new JWTClaimsSet.Builder().issuer(issuer.issuer()).audience(AUDIENCE)
                .claim("oid", "mallory").expirationTime(Date.from(Instant.now().plusSeconds(60))).build();
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                valid.toString().getBytes(StandardCharsets.UTF_8));
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("expired", issuer.sign(new JWTClaimsSet.Builder(valid).expirationTime(past).build()));
        bad.put("not yet valid", issuer.sign(new JWTClaimsSet.Builder(valid)
                .notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build()));
        bad.put("another issuer", issuer.sign(new JWTClaimsSet.Builder(valid).issuer("https://evil").build()));
        bad.put("another audience", issuer.sign(new JWTClaimsSet.Builder(valid).audience("api://x").build()));
        bad.put("no user claim", issuer.sign(new JWTClaimsSet.Builder(valid).claim("oid", null).build()));
        bad.put("unknown key", LocalOpenIdIssuer.signWithUnknownKey(valid));
        bad.put("alg none", Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + payload + ".");
        // an HMAC token signed with a secret the app holds (an access key) must not pass for the provider's
        bad.put("HS256", NimbusTokens.sign(services.eastWebPubSub.connectionString()
                .replaceAll(".*AccessKey=([^;]+);.*", "$1"), new HashMap<>(valid.toJSONObject())));
        bad.put("malformed", "not-a-jwt");
        bad.put("tampered", tamper(issuer.sign(valid)));
        bad.forEach((kind, token) -> {
            Answer refused = withToken(token);
            assertEquals(401, refused.status(), kind + ": " + refused.body());
            assertEquals("InvalidToken", refused.json().get("error").get("code").asText(), kind);
            String challenge = refused.header("WWW-Authenticate");
            assertNotNull(challenge, kind);
            assertTrue(challenge.startsWith("Bearer realm=\"xregion\", error=\"invalid_token\""), kind + ": " + challenge);
            assertFalse(refused.body().contains(token), kind + ": the token was echoed");
            assertFalse(logs.text().contains(token), kind + ": the token was logged");
        });
    }

    private static String tamper(String token) {
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("mallory", "admin01");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    @Test
    void aRotatedSigningKeyIsFetchedWhenATokenFirstNamesIt() {
        assertEquals(200, withToken(issuer.token(AUDIENCE, Map.of("oid", "before"))).status());
        int fetches = issuer.jwksFetches();
        issuer.rotate();
        Answer after = withToken(issuer.token(AUDIENCE, Map.of("oid", "after")));
        assertEquals(200, after.status(), after.body());
        assertTrue(issuer.jwksFetches() > fetches, "the new key came from a fresh JWKS");
    }

    @Test
    void theHeaderOfATrustedFrontNamesTheUser() throws Exception {
        Map<String, String> settings = prod();
        settings.remove("xregion.webpubsub.negotiate.allow-anonymous");
        settings.put("xregion.webpubsub.negotiate.identity", "header");
        settings.put("xregion.webpubsub.negotiate.header.name", "X-MS-CLIENT-PRINCIPAL-ID");
        try (RunningApp front = ready(RunningApp.start(settings))) {
            Answer answer = negotiate(front, "?userId=someone-else", Map.of("X-MS-CLIENT-PRINCIPAL-ID", "ab12-cd"));
            assertEquals(200, answer.status(), answer.body());
            assertEquals("ab12-cd", claimsOfUrl(answer).get("sub").asText());
            Answer refused = negotiate(front, "?userId=alice", Map.of());
            assertEquals(401, refused.status(), refused.body());
            assertNotNull(refused.header("WWW-Authenticate"));
        }
    }

    @Test
    void theProductionProfileRefusesAnonymousNegotiateUnlessAllowedAndThenSaysSo() {
        Map<String, String> settings = prod();
        settings.remove("xregion.webpubsub.negotiate.allow-anonymous");
        Exception refused = assertThrows(Exception.class, () -> RunningApp.start(settings).close());
        String message = messages(refused);
        assertTrue(message.contains("xregion.webpubsub.negotiate.identity is none"), message);
        assertTrue(message.contains("XREGION_WEBPUBSUB_NEGOTIATE_ALLOW_ANONYMOUS"), message);

        settings.put("xregion.webpubsub.negotiate.allow-anonymous", "true");
        try (RunningApp anonymous = ready(RunningApp.start(settings))) {
            assertEquals(200, negotiate(anonymous, "?userId=alice", Map.of()).status());
            assertTrue(logs.text().contains("Negotiate is anonymous"), "the choice was not logged");
        }
    }

    @Test
    void aJwtModeWithoutAnIssuerStopsTheStartNamingTheSetting() {
        Map<String, String> settings = prod();
        settings.put("xregion.webpubsub.negotiate.identity", "jwt");
        settings.put("xregion.webpubsub.negotiate.jwt.audience", AUDIENCE);
        String message = messages(assertThrows(Exception.class, () -> RunningApp.start(settings).close()));
        assertTrue(message.contains("xregion.webpubsub.negotiate.jwt.issuer is not set"), message);
        assertTrue(message.contains("XREGION_WEBPUBSUB_NEGOTIATE_JWT_ISSUER"), message);
    }

    @Test
    void tooManyNegotiatesPerUserOrAddressGet429WithRetryAfter() {
        Map<String, String> settings = prod();
        settings.put("xregion.webpubsub.negotiate.rate-limit.per-user", "3");
        settings.put("xregion.webpubsub.negotiate.rate-limit.per-address", "5");
        settings.put("xregion.webpubsub.negotiate.rate-limit.window-seconds", "60");
        try (RunningApp limited = ready(RunningApp.start(settings))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, negotiate(limited, "?userId=alice", Map.of()).status());
            }
            Answer perUser = negotiate(limited, "?userId=alice", Map.of());
            assertEquals(429, perUser.status(), perUser.body());
            assertEquals("TooManyRequests", perUser.json().get("error").get("code").asText());
            int retryAfter = Integer.parseInt(perUser.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            // the address has made 4 calls: one more for another user passes, the next does not
            assertEquals(200, negotiate(limited, "?userId=bob", Map.of()).status());
            Answer perAddress = negotiate(limited, "?userId=carol", Map.of());
            assertEquals(429, perAddress.status(), perAddress.body());
            assertTrue(perAddress.json().get("error").get("message").asText().contains("this address"));
        }
    }

    private static String messages(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
