package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.xregion.testing.HttpCalls;
import io.xregion.testing.HttpCalls.Answer;
import io.xregion.testing.Keys;
import io.xregion.testing.NimbusTokens;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** REST authentication (access-key JWTs) and the answers to malformed requests: a 4xx with a JSON error body. */
class EmulatorRestAuthAndInputTest {

    private static final String SEND_PATH = "/api/hubs/chat/:send?api-version=2024-01-01";

    private String key;
    private WebPubSubEmulator emulator;
    private String base;

    @BeforeEach
    void start() {
        key = Keys.random();
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("eastus", key).withReliableBufferSize(10));
        base = "http://127.0.0.1:" + emulator.port();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private Answer signed(String method, String pathAndQuery, String contentType, byte[] body) {
        return signedWith(key, base + pathAndQuery, method, pathAndQuery, contentType, body);
    }

    private Answer signedWith(String signingKey, String audience, String method, String pathAndQuery,
            String contentType, byte[] body) {
        String token = NimbusTokens.sign(signingKey, Map.of("aud", audience, "exp", NimbusTokens.inSeconds(600)));
        Map<String, String> headers = new HashMap<>(Map.of("Authorization", "Bearer " + token));
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return HttpCalls.call(method, base + pathAndQuery, headers, body);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertJsonError(Answer answer, int status) {
        assertEquals(status, answer.status(), answer.body());
        assertFalse(answer.json().path("code").asText().isEmpty(), answer.body());
        assertFalse(answer.json().path("message").asText().isEmpty(), answer.body());
    }

    @Test
    void tokensSignedForTheUrlWithOrWithoutItsQueryAreAccepted() {
        assertEquals(202, signed("POST", SEND_PATH, "text/plain", utf8("hi")).status());
        Answer withoutQuery = signedWith(key, base + "/api/hubs/chat/:send", "POST", SEND_PATH, "text/plain",
                utf8("hi"));
        assertEquals(202, withoutQuery.status());
    }

    @Test
    void missingWrongKeyExpiredAndWrongAudienceTokensGet401() {
        assertJsonError(HttpCalls.post(base + SEND_PATH, "text/plain", "hi"), 401);
        assertJsonError(signedWith(Keys.random(), base + SEND_PATH, "POST", SEND_PATH, "text/plain", utf8("hi")), 401);
        assertJsonError(signedWith(key, base + "/api/hubs/other/:send", "POST", SEND_PATH, "text/plain",
                utf8("hi")), 401);
        String expired = NimbusTokens.sign(key, Map.of("aud", base + SEND_PATH, "exp", NimbusTokens.inSeconds(-600)));
        assertJsonError(HttpCalls.call("POST", base + SEND_PATH, Map.of("Authorization", "Bearer " + expired,
                "Content-Type", "text/plain"), utf8("hi")), 401);
        String noExp = NimbusTokens.sign(key, Map.of("aud", base + SEND_PATH));
        assertJsonError(HttpCalls.call("POST", base + SEND_PATH, Map.of("Authorization", "Bearer " + noExp,
                "Content-Type", "text/plain"), utf8("hi")), 401);
        assertJsonError(HttpCalls.call("POST", base + SEND_PATH, Map.of("Authorization", "Bearer not.a.jwt",
                "Content-Type", "text/plain"), utf8("hi")), 401);
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource({
        "POST, /api/hubs/chat/:send?api-version=2024-01-01, application/xml, 400",
        "POST, /api/hubs/chat/:send, text/plain, 400",
        "POST, /api/hubs/chat/:send?api-version=1999-01-01, text/plain, 400",
        "POST, /api/hubs/chat/:send?api-version=2024-01-01&filter=userId%20eq, text/plain, 400",
        "POST, /api/hubs/chat/:send?api-version=2024-01-01&filter=groups%20eq%20'a', text/plain, 400",
        "POST, /api/hubs/chat/:send?api-version=2024-01-01&messageTtlSeconds=301, text/plain, 400",
        "POST, /api/hubs/1chat/:send?api-version=2024-01-01, text/plain, 400",
        "POST, /api/hubs/chat/groups/%20/:send?api-version=2024-01-01, text/plain, 400",
        "POST, /api/hubs/chat/:explode?api-version=2024-01-01, text/plain, 404",
        "GET, /api/hubs/chat/:send?api-version=2024-01-01, text/plain, 405",
        "POST, /api/hubs/chat/:generateToken?api-version=2024-01-01&minutesToExpire=0, text/plain, 400",
        "POST, /api/hubs/chat/:generateToken?api-version=2024-01-01&clientType=MQTT, text/plain, 400",
        "PUT, /api/hubs/chat/groups/g/connections/missing?api-version=2024-01-01, text/plain, 404",
        "PUT, /api/hubs/chat/permissions/sendToAll/connections/c?api-version=2024-12-01&targetName=g, text/plain, 400",
        "PUT, /api/hubs/chat/permissions/sendToGroup/connections/c?api-version=2024-12-01, text/plain, 400",
        "PUT, /api/hubs/chat/permissions/sendToGroup/connections/missing?api-version=2024-12-01&targetName=g, text/plain, 404",
        "GET, /api/hubs/chat/groups/g/connections?api-version=2024-12-01&maxpagesize=201, text/plain, 400",
        "GET, /api/hubs/chat/groups/g/connections?api-version=2024-12-01&top=0, text/plain, 400",
        "POST, /api/hubs/chat/:addToGroups?api-version=2024-12-01, application/json, 400",
    })
    void malformedRequestsGetA4xxWithAJsonError(String method, String path, String contentType, int status) {
        assertJsonError(signed(method, path, contentType, utf8("x")), status);
    }

    @Test
    void invalidJsonBodyAndOversizedPayloadsAreRefused() {
        assertJsonError(signed("POST", SEND_PATH, "application/json", utf8("{not json")), 400);
        byte[] tooLarge = new byte[1024 * 1024 + 1];
        assertJsonError(signed("POST", SEND_PATH, "application/octet-stream", tooLarge), 413);
        // the emulator is still serving after the refusals
        assertEquals(202, signed("POST", SEND_PATH, "application/json", utf8("\"fine\"")).status());
    }

    @Test
    void generateTokenMintsATokenForThisInstanceThatOpensAConnection() {
        Answer answer = signed("POST", "/api/hubs/chat/:generateToken?api-version=2024-01-01&userId=zoe"
                + "&role=webpubsub.joinLeaveGroup&group=a&group=b&minutesToExpire=5", null, null);
        assertEquals(200, answer.status(), answer.body());
        String token = answer.json().get("token").asText();
        Map<String, Object> claims = NimbusTokens.verify(key, token);
        assertEquals(List.of(base + "/client/hubs/chat"), claims.get("aud"));
        assertEquals("zoe", claims.get("sub"));
        assertEquals(List.of("a", "b"), claims.get("webpubsub.group"));
        assertEquals(List.of("webpubsub.joinLeaveGroup"), claims.get("role"));
        long exp = ((java.util.Date) claims.get("exp")).getTime() / 1000;
        assertTrue(Math.abs(exp - NimbusTokens.inSeconds(300)) < 10, "exp " + exp);

        String url = "ws://127.0.0.1:" + emulator.port() + "/client/hubs/chat?access_token=" + token;
        try (WsClient client = WsClient.connect(url, "json.webpubsub.azure.v1")) {
            assertEquals("zoe", client.nextJson(Duration.ofSeconds(5)).get("userId").asText());
            assertEquals(1, emulator.groupMembers("chat", "a").size());
            assertEquals(emulator.groupMembers("chat", "a"), emulator.groupMembers("chat", "b"));
        }
    }

    @Test
    void aQueryThatIsNotValidPercentEncodingGets400() {
        String target = "/api/hubs/chat/:send?api-version=2024-01-01&excluded=%zz";
        String token = NimbusTokens.sign(key, Map.of("aud", base + "/api/hubs/chat/:send", "exp",
                NimbusTokens.inSeconds(600)));
        assertJsonError(HttpCalls.raw(base, "POST", target, Map.of("Authorization", "Bearer " + token)), 400);
        // a client connection with a broken query is refused at the handshake
        Answer handshake = HttpCalls.raw(base, "GET", "/client/hubs/chat?access_token=%zz", Map.of(
                "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="));
        assertEquals(400, handshake.status());
        assertEquals(202, signed("POST", SEND_PATH, "text/plain", utf8("still serving")).status());
    }

    @Test
    void healthNeedsNoTokenAndAnswersGetAndHead() {
        assertEquals(200, HttpCalls.get(base + "/api/health").status());
        assertEquals(200, HttpCalls.call("HEAD", base + "/api/health?api-version=2024-01-01", Map.of(), null)
                .status());
        assertJsonError(HttpCalls.post(base + "/api/health", "text/plain", "x"), 405);
        assertJsonError(HttpCalls.get(base + "/nothing/here"), 404);
    }
}
