package io.xregion.continuity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.HttpCalls;
import io.xregion.testing.NodeScript;
import io.xregion.testing.NodeSdks;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;

/**
 * The client library with {@code resume} against the real app (dev profile, continuity on): messages are published
 * to Service Bus without pause while the client's instance is lost for a few seconds (the client moves to the other
 * one) and comes back (failback moves it home again); the client ends with every message exactly once. Without
 * continuity it misses those broadcast while it had no connection.
 */
@Tag("slow")
class ContinuityLibraryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MESSAGES = 60;

    @TempDir
    Path outbox;

    private RunningApp app;
    private NodeScript client;
    private final ExecutorService publisher = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void installTheLibrary() {
        NodeSdks.install();
    }

    @AfterEach
    void stop() {
        publisher.shutdownNow();
        if (client != null) {
            client.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aClientThatLosesItsConnectionWhileMessagesAreBroadcastEndsWithEachOnce() throws Exception {
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(500, 500));
        properties.put("xregion.servicebus.outbox.directory", outbox.toString());
        properties.put("xregion.continuity.enabled", "true");
        app = RunningApp.start(properties);
        Awaitility.await().atMost(WAIT).until(() -> {
            HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate?userId=probe"));
            return answer.status() == 200 && "eastus".equals(answer.json().path("region").asText());
        });
        ObjectNode settings = WsClient.JSON.createObjectNode().put("userId", "alice").put("resume", true);
        settings.putArray("negotiateUrls").add(app.url("/negotiate"));
        client = NodeScript.start(WAIT, "resume-client.mjs", settings.toString());
        // its instance: the primary, unless the machine was too busy for a probe (then the other one)
        String region = client.awaitEvent("connected").get("region").asText();

        Map<String, Integer> received = new TreeMap<>();
        List<String> gaps = new ArrayList<>();
        publish("warm-up");
        awaitMessage(received, gaps, "warm-up");

        Future<?> publishing = publisher.submit(() -> {
            for (int n = 1; n <= MESSAGES; n++) {
                publish("c-" + n);
                if (n == 10) {
                    dev(region, "down");
                }
                if (n == 40) {
                    dev(region, "up");
                }
            }
            return null;
        });
        publishing.get(2, TimeUnit.MINUTES);
        // every message, then a marker published after all of them: a second copy of any would have come before it
        for (int n = 1; n <= MESSAGES; n++) {
            awaitMessage(received, gaps, "c-" + n);
        }
        publish("marker");
        awaitMessage(received, gaps, "marker");

        assertEquals(List.of(), gaps, "no gap within the window");
        List<String> twice = received.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey)
                .toList();
        assertEquals(List.of(), twice, "each message once: " + received);
        assertEquals(MESSAGES + 2, received.size(), received.toString());
        assertTrue(received.keySet().containsAll(List.of("c-1", "c-" + MESSAGES)));
    }

    private void publish(String key) {
        HttpCalls.Answer answer = HttpCalls.call("POST", app.url("/publish"), Map.of("Content-Type", "text/plain",
                "Idempotency-Key", key), key.getBytes(StandardCharsets.UTF_8));
        assertEquals(202, answer.status(), answer.body());
    }

    private void dev(String instance, String action) {
        HttpCalls.Answer answer = HttpCalls.post(app.url("/dev/webpubsub/" + instance + "/" + action), null, null);
        assertEquals(200, answer.status(), answer.body());
    }

    /** Reads the client's lines until the message with this id, counting every message id and gap on the way. */
    private void awaitMessage(Map<String, Integer> received, List<String> gaps, String id) throws Exception {
        if (received.containsKey(id)) {
            return;
        }
        client.await("message " + id, line -> {
            String event = line.path("event").asText();
            if (event.equals("gap")) {
                gaps.add(line.toString());
            }
            if (!event.equals("server-message")) {
                return false;
            }
            String seen = line.path("id").asText(line.path("data").asText());
            received.merge(seen, 1, Integer::sum);
            return seen.equals(id);
        }, System.nanoTime() + WAIT.toNanos());
    }
}
