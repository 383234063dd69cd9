package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.xregion.testing.Keys;
import io.xregion.testing.NimbusTokens;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator calls an event handler as the service does: abuse protection, then signed CloudEvents. */
class EmulatorEventHandlerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** One request the event handler received. */
    record Event(String method, Headers headers, String body) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** What the fake handler answers: status, content type, body. */
    record Answer(int status, String contentType, String body) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile Function<Event, Answer> answers = e -> new Answer(204, null, null);
    private volatile String allowedOrigin = "*";
    /** How many validations the handler refuses before it answers with {@link #allowedOrigin}. */
    private final java.util.concurrent.atomic.AtomicInteger validationsToRefuse =
            new java.util.concurrent.atomic.AtomicInteger();
    private HttpServer handler;
    private String key;
    private String secondaryKey;
    private WebPubSubEmulator emulator;

    @BeforeEach
    void start() throws IOException {
        handler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        handler.createContext("/eventhandler", exchange -> {
            Event event = new Event(exchange.getRequestMethod(), exchange.getRequestHeaders(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            events.add(event);
            Answer answer = event.method().equals("OPTIONS") ? new Answer(200, null, null) : answers.apply(event);
            boolean refuse = event.method().equals("OPTIONS")
                    && validationsToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            if (event.method().equals("OPTIONS") && allowedOrigin != null && !refuse) {
                exchange.getResponseHeaders().add("WebHook-Allowed-Origin", allowedOrigin);
            }
            if (answer.contentType() != null) {
                exchange.getResponseHeaders().add("Content-Type", answer.contentType());
            }
            byte[] body = answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        handler.start();
        key = Keys.random();
        secondaryKey = Keys.random();
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("eastus", key).withSecondaryAccessKey(secondaryKey)
                .withEventHandler("http://127.0.0.1:" + handler.getAddress().getPort()
                        + "/eventhandler?event={event}&hub={hub}"));
    }

    @AfterEach
    void stop() {
        emulator.close();
        handler.stop(0);
    }

    private WsClient connect(String user, String protocol) {
        String http = "http://127.0.0.1:" + emulator.port();
        String token = NimbusTokens.sign(key, Map.of("aud", http + "/client/hubs/chat", "exp",
                NimbusTokens.inSeconds(600), "sub", user));
        String url = "ws://127.0.0.1:" + emulator.port() + "/client/hubs/chat?access_token=" + token + "&tag=t1";
        return protocol == null ? WsClient.connect(url) : WsClient.connect(url, protocol);
    }

    private Event next() throws InterruptedException {
        Event event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no event within " + WAIT);
        }
        return event;
    }

    private Event nextOfType(String type) throws InterruptedException {
        while (true) {
            Event event = next();
            if (type.equals(event.header("ce-type"))) {
                return event;
            }
        }
    }

    /** The service signs with both of the instance's keys, the primary first. */
    private String expectedSignature(String connectionId) throws Exception {
        return signature(key, connectionId) + "," + signature(secondaryKey, connectionId);
    }

    private static String signature(String signingKey, String connectionId) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(signingKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(connectionId.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void abuseProtectionComesFirstThenSignedCloudEventsForTheWholeLifecycle() throws Exception {
        answers = e -> e.header("ce-type").equals("azure.webpubsub.sys.connect")
                ? new Answer(200, "application/json", "{\"userId\":\"renamed\",\"groups\":[\"from-handler\"]}")
                : new Answer(204, null, null);
        try (WsClient client = connect("alice", "json.webpubsub.azure.v1")) {
            Event validation = next();
            assertEquals("OPTIONS", validation.method());
            assertEquals("127.0.0.1:" + emulator.port(), validation.header("WebHook-Request-Origin"));

            Event connect = next();
            assertEquals("POST", connect.method());
            assertEquals("azure.webpubsub.sys.connect", connect.header("ce-type"));
            assertEquals("1.0", connect.header("ce-specversion"));
            assertEquals("chat", connect.header("ce-hub"));
            assertEquals("alice", connect.header("ce-userId"));
            String connectionId = connect.header("ce-connectionId");
            assertEquals("/hubs/chat/client/" + connectionId, connect.header("ce-source"));
            assertEquals(expectedSignature(connectionId), connect.header("ce-signature"));
            JsonNode body = WsClient.JSON.readTree(connect.body());
            assertEquals("alice", body.get("claims").get("sub").get(0).asText());
            assertEquals("t1", body.get("query").get("tag").get(0).asText());
            assertFalse(body.get("query").has("access_token"), "the token is never forwarded");

            // the connect answer renamed the user and added a group
            JsonNode connected = client.nextJson(WAIT);
            assertEquals("renamed", connected.get("userId").asText());
            assertEquals(List.of(connectionId), emulator.groupMembers("chat", "from-handler"));
            assertEquals("azure.webpubsub.sys.connected", nextOfType("azure.webpubsub.sys.connected").header("ce-type"));

            client.sendJson(Map.of("type", "event", "event", "chat", "dataType", "text", "data", "hello", "ackId", 7));
            Event user = nextOfType("azure.webpubsub.user.chat");
            assertEquals("hello", user.body());
            assertTrue(user.header("Content-Type").startsWith("text/plain"));
            assertEquals("chat", user.header("ce-eventName"));
            assertEquals("renamed", user.header("ce-userId"));
            assertTrue(client.nextJson(WAIT).get("success").asBoolean());
        }
        Event disconnected = nextOfType("azure.webpubsub.sys.disconnected");
        assertTrue(WsClient.JSON.readTree(disconnected.body()).has("reason"));
    }

    @Test
    void aConnectHandlerThatAnswers4xxRefusesTheClientWithThatStatus() {
        answers = e -> new Answer(401, null, null);
        WsClient.HandshakeRefused refused = assertThrows(WsClient.HandshakeRefused.class,
                () -> connect("mallory", "json.webpubsub.azure.v1"));
        assertEquals(401, refused.status);
        assertEquals(0, emulator.connectionCount("chat"));
    }

    @Test
    void eventRepliesReachTheSenderAndFailuresAreAckedAsErrors() throws Exception {
        answers = e -> {
            String type = e.header("ce-type");
            if (type.equals("azure.webpubsub.user.echo")) {
                return new Answer(200, "application/json", "{\"echo\":" + e.body() + "}");
            }
            if (type.equals("azure.webpubsub.user.broken")) {
                return new Answer(500, null, null);
            }
            return new Answer(204, null, null);
        };
        try (WsClient client = connect("bob", "json.webpubsub.azure.v1")) {
            client.nextJson(WAIT);
            client.sendJson(Map.of("type", "event", "event", "echo", "dataType", "json", "data", Map.of("n", 1),
                    "ackId", 1));
            JsonNode reply = client.nextJson(WAIT);
            assertEquals("server", reply.get("from").asText());
            assertEquals(1, reply.get("data").get("echo").get("n").asInt());
            assertTrue(client.nextJson(WAIT).get("success").asBoolean());

            client.sendJson(Map.of("type", "event", "event", "broken", "dataType", "text", "data", "x", "ackId", 2));
            JsonNode failed = client.nextJson(WAIT);
            assertFalse(failed.get("success").asBoolean());
            assertEquals("InternalServerError", failed.get("error").get("name").asText());
        }
    }

    @Test
    void rawClientFramesBecomeMessageEventsAndAFailingHandlerCloses1011() throws Exception {
        answers = e -> e.header("ce-type").equals("azure.webpubsub.user.message") && e.body().equals("boom")
                ? new Answer(500, null, null)
                : new Answer(200, "text/plain", e.header("ce-type").equals("azure.webpubsub.user.message")
                        ? "got " + e.body() : null);
        try (WsClient raw = connect("carol", null)) {
            nextOfType("azure.webpubsub.sys.connected");
            raw.send("ping?");
            Event message = nextOfType("azure.webpubsub.user.message");
            assertEquals("ping?", message.body());
            assertEquals("got ping?", raw.next(WAIT).text());
            raw.send("boom");
            assertEquals(1011, raw.awaitClose(WAIT).code());
        }
    }

    @Test
    void aHandlerForEveryHubIsValidatedAtStartAndUntilItAllowsUs() throws Exception {
        validationsToRefuse.set(2);
        String url = "http://127.0.0.1:" + handler.getAddress().getPort() + "/eventhandler?event={event}";
        try (WebPubSubEmulator atStart = WebPubSubEmulator.start(EmulatorOptions.of("westus", Keys.random())
                .withEventHandler(url))) {
            // no client has connected: the check comes from the start, and is repeated while it is refused
            Event first = next();
            assertEquals("OPTIONS", first.method());
            assertEquals("127.0.0.1:" + atStart.port(), first.header("WebHook-Request-Origin"));
            assertEquals("OPTIONS", next().method());
            // the third check is allowed
            assertEquals("OPTIONS", next().method());
            // once allowed, it stops asking (the next check would come within a second)
            assertEquals(null, events.poll(1500, TimeUnit.MILLISECONDS), "validated once, not again");
        }
    }

    @Test
    void withoutAbuseProtectionApprovalNoEventIsDeliveredAndConnectsFail() throws Exception {
        allowedOrigin = "someone-else.example";
        WsClient.HandshakeRefused refused = assertThrows(WsClient.HandshakeRefused.class,
                () -> connect("dave", "json.webpubsub.azure.v1"));
        assertEquals(500, refused.status);
        assertEquals("OPTIONS", next().method());
        assertEquals(null, events.poll(300, TimeUnit.MILLISECONDS), "no event after a refused validation");
    }
}
