package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.NodeScript;
import io.xregion.testing.NodeSdks;
import io.xregion.testing.RunningApp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The official JavaScript client SDK (@azure/web-pubsub-client, npm) against the app and its local emulators: it
 * negotiates through the app, follows a failover to the secondary and a failback home, and its events travel
 * through the emulator's event handler to the app and back as a broadcast. Needs node and npm (installed once into
 * target/js-client from src/test/js/package-lock.json).
 */
@Tag("slow")
class OfficialJsClientTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /**
     * How long @azure/web-pubsub-client 1.1.0 tries to recover a reliable connection before it negotiates again
     * ({@code AbortSignal.timeout(30 * 1000)} in its webPubSubClient.js).
     */
    private static final Duration RECOVERY_WINDOW = Duration.ofSeconds(30);
    /** Below the window by this much: a generous deadline for the way home, which only the window's wait would miss. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private RunningApp app;
    private final List<NodeScript> clients = new ArrayList<>();

    @BeforeAll
    static void installTheSdk() {
        NodeSdks.install();
    }

    @BeforeEach
    void start() {
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(500, 500));
        properties.put("xregion.webpubsub.failback.pace-ms", "200");
        properties.put("xregion.webpubsub.home-groups.shards", "2");
        app = RunningApp.start(properties);
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
    }

    @AfterEach
    void stop() {
        clients.forEach(NodeScript::close);
        app.close();
    }

    private NodeScript client(String userId, String protocol) {
        NodeScript client = NodeScript.start(WAIT, "client.mjs", app.url(""), userId, protocol);
        clients.add(client);
        return client;
    }

    private void dev(String instance, String action) {
        assertEquals(200, HttpCalls.post(app.url("/dev/webpubsub/" + instance + "/" + action), null, null).status());
    }

    @Test
    void theOfficialClientFollowsFailoverAndFailbackThroughNegotiate() throws Exception {
        NodeScript client = client("js-user", "json");
        assertEquals("eastus", client.awaitEvent("connected").get("region").asText());

        assertEquals(202, HttpCalls.post(app.url("/broadcast"), "text/plain", "hello js").status());
        assertEquals("hello js", client.awaitEvent("server-message").get("data").asText());

        // an event from the client goes through the emulator's event handler to the app, which broadcasts it
        client.command("event round trip");
        client.await("the broadcast of its own event",
                l -> "server-message".equals(l.path("event").asText()) && "round trip".equals(l.path("data").asText()));

        dev("eastus", "down");
        client.awaitEvent("disconnected");
        JsonNode onSecondary = client.await("a connection on westus",
                l -> "connected".equals(l.path("event").asText()) && "westus".equals(l.path("region").asText()));
        assertEquals("js-user", onSecondary.get("userId").asText());
        assertEquals(202, HttpCalls.post(app.url("/broadcast"), "text/plain", "from westus").status());
        assertEquals("from westus", client.awaitEvent("server-message").get("data").asText());

        // failback closes our home clients on westus; the client negotiates again and is home
        dev("eastus", "up");
        JsonNode disconnected = client.awaitEvent("disconnected");
        assertTrue(disconnected.path("message").asText().contains("home region"), disconnected.toString());
        client.await("a connection back on eastus",
                l -> "connected".equals(l.path("event").asText()) && "eastus".equals(l.path("region").asText()));
        client.command("stop");
    }

    @Test
    void aReliableClientClosedByFailbackIsRefusedRecoveryAndComesHome() throws Exception {
        dev("eastus", "down");
        Awaitility.await().atMost(WAIT).until(() -> "westus".equals(HttpCalls.get(app.url("/negotiate")).json()
                .path("region").asText()));
        NodeScript client = client("reliable-user", "reliable");
        JsonNode connectedOn = client.awaitEvent("connected");
        assertEquals("westus", connectedOn.get("region").asText());

        String onWestus = connectedOn.get("connectionId").asText();

        long up = System.nanoTime();
        dev("eastus", "up");
        // closed by failback, its recovery refused, it negotiates at once: home well before the SDK's 30 s recovery
        // window would have run out, which a client waiting on a recovery never granted would sit through
        long deadline = up + RECOVERY_WINDOW.minus(MARGIN).toNanos();
        JsonNode disconnected = client.await("the end of its connection (recovery refused) before the window runs out",
                l -> "disconnected".equals(l.path("event").asText()), deadline);
        assertTrue(disconnected.path("message").asText().contains("home region"), disconnected.toString());
        JsonNode home = client.await("a connection back on eastus before the recovery window runs out",
                l -> "connected".equals(l.path("event").asText()) && "eastus".equals(l.path("region").asText()),
                deadline);
        assertNotEquals(onWestus, home.get("connectionId").asText(), "a new connection, not a recovered one");
        System.out.printf("reliable client home %d ms after eastus came up%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up));
        client.command("stop");
    }
}
