package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.azure.core.http.rest.RequestOptions;
import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.dev.DevEmulators;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.HttpCalls.Answer;
import io.xregion.testing.LogCapture;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import io.xregion.health.HealthState;

/** Malformed input to every endpoint gets a 4xx with a JSON error body, and nothing a caller sends leaks a secret. */
@Tag("slow")
class ApiInputTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static RunningApp app;
    private static LogCapture logs;

    @BeforeAll
    static void start() {
        logs = LogCapture.begin();
        app = RunningApp.start(Map.of());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
    }

    @AfterAll
    static void stop() {
        app.close();
        logs.close();
    }

    private static void assertJsonError(Answer answer, int status) {
        assertEquals(status, answer.status(), answer.body());
        assertTrue(answer.header("Content-Type").startsWith("application/json"), answer.header("Content-Type"));
        assertFalse(answer.json().get("error").get("code").asText().isEmpty(), answer.body());
        assertFalse(answer.json().get("error").get("message").asText().isEmpty(), answer.body());
        assertFalse(answer.body().contains("\tat "), "a stack trace leaked: " + answer.body());
    }

    @ParameterizedTest(name = "{0} {1} [{2}] -> {4}")
    @CsvSource(delimiter = '|', value = {
        "GET    | /negotiate?userId=                      |                          |          | 400",
        "GET    | /negotiate?userId=a&userId=b             |                          |          | 400",
        "GET    | /negotiate?userId=%01bell               |                          |          | 400",
        "POST   | /negotiate                              | text/plain               | x        | 405",
        "DELETE | /negotiate                              |                          |          | 405",
        "POST   | /broadcast                              |                          | hello    | 415",
        "POST   | /broadcast                              | application/xml          | <a/>     | 415",
        "POST   | /broadcast                              | application/json         | {nope    | 400",
        "POST   | /broadcast                              | application/json         | {} {}    | 400",
        "POST   | /broadcast                              | text/plain               |          | 400",
        "POST   | /broadcast                              | text/plain; charset=bogus | hi      | 415",
        "POST   | /broadcast                              | text/plain; charset=iso-8859-1 | hi | 415",
        "GET    | /negotiate?userId=%E0%A4                |                          |          | 400",
        "GET    | /broadcast                              |                          |          | 405",
        "POST   | /broadcast/groups/%20                   | text/plain               | hi       | 400",
        "POST   | /broadcast/users/%20%20                 | text/plain               | hi       | 400",
        "POST   | /broadcast/groups                       | text/plain               | hi       | 404",
        "POST   | /broadcast/everyone                     | text/plain               | hi       | 404",
        "GET    | /nothing/here                           |                          |          | 404",
        "POST   | /eventhandler                           | text/plain               | hi       | 400",
        "PUT    | /eventhandler                           | text/plain               | hi       | 405",
        "OPTIONS| /eventhandler                           |                          |          | 400",
        "POST   | /dev/webpubsub/nowhere/down             |                          |          | 404",
        "POST   | /dev/webpubsub/eastus/explode           |                          |          | 404",
        "GET    | /dev/webpubsub/eastus/down              |                          |          | 405",
        "POST   | /dev/state                              |                          |          | 405",
        "POST   | /publish                                |                          | hello    | 415",
        "POST   | /publish                                | application/json         | {nope    | 400",
        "POST   | /publish                                | text/plain               |          | 400",
        "GET    | /publish                                |                          |          | 405",
        "POST   | /dev/servicebus/nowhere/down            |                          |          | 404",
        "POST   | /dev/servicebus/eastus/explode          |                          |          | 404",
        "POST   | /dev/servicebus/eastus/reject           |                          |          | 400",
        "POST   | /dev/servicebus/eastus/reject?condition=x |                        |          | 400",
        "POST   | /dev/webpubsub/nowhere/partition        |                          |          | 404",
        "GET    | /dev/webpubsub/eastus/partition         |                          |          | 405",
        "POST   | /dev/servicebus/nowhere/partition       |                          |          | 404",
        "GET    | /dev/servicebus/eastus/partition        |                          |          | 405",
    })
    void malformedRequestsGetA4xxWithAJsonError(String method, String path, String contentType, String body,
            int status) {
        Map<String, String> headers = contentType == null ? Map.of() : Map.of("Content-Type", contentType);
        assertJsonError(HttpCalls.call(method, app.url(path), headers,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8)), status);
    }

    @ParameterizedTest(name = "{0} {1} -> 400")
    @CsvSource(delimiter = '|', value = {
        "GET  | /negotiate?userId=%zz",
        "GET  | /negotiate/%zz",
        "POST | /broadcast/groups/%zz",
        "POST | /broadcast/users/a%2",
        "POST | /dev/webpubsub/%zz/down",
    })
    void urlsThatAreNotValidPercentEncodingGet400WithAJsonErrorAndNoStackTraceInTheLog(String method,
            String target) {
        assertJsonError(HttpCalls.raw(app.url(""), method, target, Map.of()), 400);
        assertFalse(logs.text().contains("Unhandled exception in router"), "a routing failure was logged as an error");
    }

    @Test
    void aCharsetTheClientCannotEncodeDoesNotCountAgainstAnyInstance() {
        for (int i = 0; i < 3; i++) {
            assertJsonError(HttpCalls.call("POST", app.url("/broadcast"), Map.of("Content-Type",
                    "text/plain; charset=x-unknown"), "hi".getBytes(StandardCharsets.UTF_8)), 415);
        }
        WebPubSubHealth health = app.bean("webPubSubHealth", WebPubSubHealth.class);
        health.snapshots().forEach(snapshot -> assertEquals(HealthState.UP, snapshot.state(),
                snapshot.instance() + " was marked down by refused input"));
        assertEquals("eastus", HttpCalls.get(app.url("/negotiate")).json().get("region").asText());
    }

    @Test
    void eventsWithoutAValidSignatureOrFromAnUnknownOriginAreRefused() {
        Map<String, String> event = Map.of("ce-type", "azure.webpubsub.user.chat", "ce-connectionId", "c1",
                "Content-Type", "text/plain");
        assertJsonError(HttpCalls.call("POST", app.url("/eventhandler"), event, "x".getBytes()), 401);
        Map<String, String> forged = new java.util.HashMap<>(event);
        forged.put("ce-signature", "sha256=" + "ab".repeat(32));
        assertJsonError(HttpCalls.call("POST", app.url("/eventhandler"), forged, "x".getBytes()), 401);
        // a forged signature is refused before anything else is looked at
        Map<String, String> forgedAndNotWebPubSub = new java.util.HashMap<>(forged);
        forgedAndNotWebPubSub.put("ce-type", "com.example.other");
        assertJsonError(HttpCalls.call("POST", app.url("/eventhandler"), forgedAndNotWebPubSub, "x".getBytes()), 401);
        // a signed event that is not a Web PubSub event is malformed
        String key = app.bean("devEmulators", DevEmulators.class).webPubSub().get("eastus").connectionString()
                .replaceAll(".*AccessKey=([^;]+);.*", "$1");
        Map<String, String> notWebPubSub = new java.util.HashMap<>(forgedAndNotWebPubSub);
        notWebPubSub.put("ce-signature", "sha256=" + io.xregion.security.HmacSha256.hex(key, "c1"));
        assertJsonError(HttpCalls.call("POST", app.url("/eventhandler"), notWebPubSub, "x".getBytes()), 400);
        assertJsonError(HttpCalls.call("OPTIONS", app.url("/eventhandler"),
                Map.of("WebHook-Request-Origin", "evil.example.com"), null), 403);
        // a configured instance is allowed
        String origin = app.bean("devEmulators", DevEmulators.class).webPubSub().get("westus").endpoint()
                .getRawAuthority();
        Answer allowed = HttpCalls.call("OPTIONS", app.url("/eventhandler"), Map.of("WebHook-Request-Origin", origin),
                null);
        assertEquals(200, allowed.status());
        assertEquals(origin, allowed.header("WebHook-Allowed-Origin"));
    }

    @Test
    void aBadIdempotencyKeyIsRefused() {
        assertJsonError(HttpCalls.call("POST", app.url("/publish"), Map.of("Content-Type", "text/plain",
                "Idempotency-Key", "k".repeat(129)), "x".getBytes()), 400);
        assertJsonError(HttpCalls.call("POST", app.url("/publish"), Map.of("Content-Type", "text/plain",
                "Idempotency-Key", " "), "x".getBytes()), 400);
        assertJsonError(HttpCalls.call("POST", app.url("/publish"), Map.of("Content-Type", "application/octet-stream"),
                new byte[300_000]), 413);
    }

    @Test
    void anOversizedBroadcastIsRefusedWith413() {
        byte[] tooLarge = new byte[1024 * 1024 + 10];
        assertJsonError(HttpCalls.call("POST", app.url("/broadcast"), Map.of("Content-Type",
                "application/octet-stream"), tooLarge), 413);
        // and the server still serves
        assertEquals(202, HttpCalls.post(app.url("/broadcast"), "text/plain", "still here").status());
    }

    /**
     * Real clients on the primary: one in the group of an odd name, one that is the user of an odd name, and
     * bystanders in the groups and of the users those names become when cut at a slash, space, '?' or comma. A
     * message to all is the next thing each bystander sees: one connection's messages arrive in the order they were
     * sent, so had the group or user message reached a bystander, it would have come first.
     */
    @Test
    void groupAndUserBroadcastsReachOnlyTheirMembersEvenWithSlashesSpacesAndCommasInTheNames() {
        String group = "room/1 a?b";
        String user = "al\u00efce,x";
        WebPubSubServiceClient eastus = new WebPubSubServiceClientBuilder().connectionString(
                app.bean("devEmulators", DevEmulators.class).webPubSub().get("eastus").connectionString())
                .hub("chat").buildClient();
        try (WsClient member = negotiated("member"); WsClient inNearbyGroups = negotiated("bystander");
                WsClient theUser = negotiated(user); WsClient nearbyUser = negotiated("al\u00efce");
                WsClient otherNearbyUser = negotiated("x")) {
            eastus.addConnectionToGroupWithResponse(group, connected(member).get("connectionId").asText(),
                    new RequestOptions());
            String bystander = connected(inNearbyGroups).get("connectionId").asText();
            for (String nearby : List.of("room", "room/1", "room/1 a", "b", "room%2F1%20a%3Fb")) {
                eastus.addConnectionToGroupWithResponse(nearby, bystander, new RequestOptions());
            }
            assertEquals(user, connected(theUser).get("userId").asText());
            assertEquals("al\u00efce", connected(nearbyUser).get("userId").asText());
            assertEquals("x", connected(otherNearbyUser).get("userId").asText());

            Answer toGroup = HttpCalls.post(app.url("/broadcast/groups/room%2F1%20a%3Fb"), "text/plain", "hi");
            assertEquals(202, toGroup.status(), toGroup.body());
            assertEquals("accepted", toGroup.json().get("instances").get("eastus").get("status").asText());
            JsonNode received = member.nextJson(WAIT);
            assertEquals("hi", received.get("data").asText(), received.toString());
            assertEquals(group, received.path("group").asText(), received.toString());

            Answer toUser = HttpCalls.post(app.url("/broadcast/users/al%C3%AFce%2Cx"), "application/json",
                    "{\"k\":1}");
            assertEquals(202, toUser.status(), toUser.body());
            assertEquals("accepted", toUser.json().get("instances").get("eastus").get("status").asText());
            received = theUser.nextJson(WAIT);
            assertEquals("json", received.get("dataType").asText(), received.toString());
            assertEquals(1, received.get("data").get("k").asInt(), received.toString());

            assertEquals(202, HttpCalls.post(app.url("/broadcast"), "text/plain", "marker").status());
            for (WsClient client : List.of(member, inNearbyGroups, theUser, nearbyUser, otherNearbyUser)) {
                JsonNode next = client.nextJson(WAIT);
                assertEquals("marker", next.path("data").asText(),
                        "only the message to all reached this client since it connected, not " + next);
            }
        }
    }

    /** A client on the instance negotiate hands out, as the user asked for (the dev profile's negotiate). */
    private static WsClient negotiated(String userId) {
        Answer negotiate = HttpCalls.get(app.url("/negotiate?userId="
                + java.net.URLEncoder.encode(userId, StandardCharsets.UTF_8)));
        assertEquals(200, negotiate.status(), negotiate.body());
        assertEquals("eastus", negotiate.json().get("region").asText(), negotiate.body());
        return WsClient.connect(negotiate.json().get("url").asText(), "json.webpubsub.azure.v1");
    }

    /** The client's first frame, which must say it is connected. */
    private static JsonNode connected(WsClient client) {
        JsonNode connected = client.nextJson(WAIT);
        assertEquals("connected", connected.path("event").asText(), connected.toString());
        return connected;
    }

    @Test
    void noAccessKeyEverAppearsInLogsOrAnswers() {
        DevEmulators emulators = app.bean("devEmulators", DevEmulators.class);
        HttpCalls.get(app.url("/negotiate?userId=bob"));
        HttpCalls.post(app.url("/broadcast"), "text/plain", "x");
        String state = HttpCalls.get(app.url("/dev/state")).body();
        String metrics = HttpCalls.get(app.managementUrl("/observe/metrics")).body();
        String health = HttpCalls.get(app.managementUrl("/observe/health")).body();
        emulators.webPubSub().values().forEach(emulator -> {
            String key = emulator.connectionString().replaceAll(".*AccessKey=([^;]+);.*", "$1");
            assertNotNull(key);
            assertFalse(logs.text().contains(key), "an access key was logged");
            for (String answer : new String[] {state, metrics, health}) {
                assertFalse(answer.contains(key), "an access key was answered");
            }
        });
        emulators.serviceBus().values().forEach(namespace -> {
            String key = namespace.connectionString().replaceAll(".*SharedAccessKey=([^;]+);.*", "$1");
            assertFalse(logs.text().contains(key), "a Service Bus key was logged");
            for (String answer : new String[] {state, metrics, health}) {
                assertFalse(answer.contains(key), "a Service Bus key was answered");
            }
        });
        assertTrue(logs.text().contains("Dev profile"), "the capture saw the app's logs");
    }
}
