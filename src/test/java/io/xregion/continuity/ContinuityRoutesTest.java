package io.xregion.continuity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.xregion.testing.HttpCalls;
import io.xregion.testing.RedisServer;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;

/**
 * Continuity through the real app (dev profile: its local Web PubSub instances and Service Bus namespaces), with
 * each duplicate store: messages published to Service Bus reach a client that opted in (negotiate ?envelope=v1) as
 * envelopes with their MessageId and position, and a client that did not as before, each exactly once; a client that
 * dropped its connection while messages were broadcast gets every one it missed from /resume, in order, and the live
 * ones after them; /resume refuses what is not the caller's and bad input.
 */
@Tag("slow")
class ContinuityRoutesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String JSON_PROTOCOL = "json.webpubsub.azure.v1";

    @TempDir
    Path outbox;

    private RunningApp app;
    private RedisServer redis;
    private final List<WsClient> sockets = new ArrayList<>();

    @AfterEach
    void stop() {
        sockets.forEach(WsClient::close);
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private void start(String store) {
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(500, 500));
        properties.put("xregion.servicebus.outbox.directory", outbox.toString());
        properties.put("xregion.continuity.enabled", "true");
        properties.put("xregion.servicebus.dedup.store", store);
        if (store.equals("redis")) {
            redis = RedisServer.start();
            properties.put("xregion.servicebus.dedup.redis.endpoints", redis.url());
        }
        app = RunningApp.start(properties);
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate?userId=probe")).status() == 200);
    }

    private WsClient connect(String query) {
        HttpCalls.Answer negotiate = HttpCalls.get(app.url("/negotiate?" + query));
        assertEquals(200, negotiate.status(), negotiate.body());
        WsClient socket = WsClient.connect(negotiate.json().get("url").asText(), JSON_PROTOCOL);
        sockets.add(socket);
        assertEquals("connected", socket.nextJson(WAIT).path("event").asText());
        return socket;
    }

    private void publish(String key, int n) {
        HttpCalls.Answer answer = HttpCalls.call("POST", app.url("/publish"), Map.of("Content-Type",
                "application/json", "Idempotency-Key", key), ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8));
        assertEquals(202, answer.status(), answer.body());
    }

    /** The next server message's data. */
    private static JsonNode nextData(WsClient socket) {
        JsonNode message = socket.nextJson(WAIT);
        assertEquals("message", message.path("type").asText(), message.toString());
        return message.path("data");
    }

    private HttpCalls.Answer resume(String userId, String stream, String after) {
        return HttpCalls.get(app.url("/resume?userId=" + userId + "&stream=" + URLEncoder.encode(stream,
                StandardCharsets.UTF_8) + (after == null ? "" : "&after=" + after)));
    }

    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {"memory", "redis"})
    void optedInClientsGetEnvelopesOthersTheMessageAndADroppedClientResumesWithoutLossOrRepeat(String store) {
        start(store);
        WsClient alice = connect("userId=alice&envelope=v1");
        WsClient bob = connect("userId=bob");

        // a new client learns where the stream stands before anything was sent
        HttpCalls.Answer start = resume("alice", "all", null);
        assertEquals(200, start.status(), start.body());
        String startPosition = start.json().get("position").asText();

        publish("k1", 1);
        publish("k2", 2);
        // the receivers process messages concurrently: their order is the history's, not necessarily the publish's
        Map<String, JsonNode> delivered = envelopes(alice, 2);
        JsonNode first = delivered.get("k1");
        assertEquals("all", first.get("stream").asText(), first.toString());
        assertEquals("json", first.get("dataType").asText());
        assertEquals(1, first.path("data").path("n").asInt(), first.toString());
        assertEquals(2, delivered.get("k2").path("data").path("n").asInt());
        // the raw client, as before continuity
        assertEquals(List.of(1, 2), raw(bob, 2));

        // everything since the start, in the history's order
        JsonNode fromStart = resume("alice", "all", startPosition).json();
        assertFalse(fromStart.get("gap").asBoolean(), fromStart.toString());
        assertEquals(inPositionOrder(delivered), ids(fromStart));
        String last = fromStart.get("position").asText();
        assertEquals(delivered.get(ids(fromStart).get(1)).get("position").asText(), last);

        // alice drops her connection while three messages are broadcast, then comes back
        alice.close();
        for (int n = 3; n <= 5; n++) {
            publish("k" + n, n);
        }
        assertEquals(List.of(3, 4, 5), raw(bob, 3));
        WsClient back = connect("userId=alice&envelope=v1");
        JsonNode missed = resume("alice", "all", last).json();
        assertFalse(missed.get("gap").asBoolean(), missed.toString());
        assertEquals(List.of("k3", "k4", "k5"), ids(missed).stream().sorted().toList());
        List<Position> positions = new ArrayList<>();
        missed.get("messages").forEach(m -> positions.add(Position.parse(m.get("position").asText())));
        assertEquals(positions.stream().sorted().toList(), positions, missed.toString());
        // then live: the next message is the next one, nothing twice
        publish("k6", 6);
        JsonNode live = envelopes(back, 1).get("k6");
        assertTrue(Position.parse(missed.get("position").asText()).before(Position.parse(live.get("position")
                .asText())));
        assertEquals(List.of(6), raw(bob, 1));
        assertEquals(List.of(), ids(resume("alice", "all", live.get("position").asText()).json()));
        // a position the history cannot answer for
        JsonNode gap = resume("alice", "all", "1-0").json();
        assertTrue(gap.get("gap").asBoolean(), gap.toString());
        assertEquals(live.get("position").asText(), gap.get("position").asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory"})
    void resumeGivesACallerOnlyItsOwnStreamsAndRefusesBadInput(String store) {
        start(store);
        assertEquals(200, resume("alice", "user:alice", null).status());
        assertError(resume("alice", "user:bob", null), 403);
        assertError(resume("alice", "group:room", null), 403);
        assertError(resume("alice", "everything", null), 400);
        assertError(resume("alice", "user:", null), 400);
        assertError(resume("alice", "all", "yesterday"), 400);
        assertError(HttpCalls.get(app.url("/negotiate?userId=alice&envelope=v2")), 400);
        assertError(HttpCalls.call("POST", app.url("/resume?userId=alice&stream=all"), Map.of(), new byte[0]), 405);
    }

    private static void assertError(HttpCalls.Answer answer, int status) {
        assertEquals(status, answer.status(), answer.body());
        assertTrue(answer.json().has("error") || answer.json().has("message"), answer.body());
    }

    /** The next count envelopes, by id; each id once. */
    private static Map<String, JsonNode> envelopes(WsClient socket, int count) {
        Map<String, JsonNode> byId = new HashMap<>();
        for (int i = 0; i < count; i++) {
            JsonNode envelope = nextData(socket);
            assertTrue(byId.put(envelope.get("id").asText(), envelope) == null, "twice: " + envelope);
        }
        return byId;
    }

    /** The next count raw messages' numbers, sorted. */
    private static List<Integer> raw(WsClient socket, int count) {
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode data = nextData(socket);
            assertFalse(data.has("id"), "an envelope for a raw client: " + data);
            numbers.add(data.path("n").asInt());
        }
        return numbers.stream().sorted().toList();
    }

    private static List<String> inPositionOrder(Map<String, JsonNode> envelopes) {
        return envelopes.values().stream().sorted(java.util.Comparator.comparing(e -> Position.parse(e.get(
                "position").asText()))).map(e -> e.get("id").asText()).toList();
    }

    private static List<String> ids(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("messages").forEach(m -> ids.add(m.get("id").asText()));
        return ids;
    }
}
