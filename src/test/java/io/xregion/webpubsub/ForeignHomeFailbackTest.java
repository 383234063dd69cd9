package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.Closer;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import io.xregion.testing.TestSettings;
import io.xregion.testing.WsClient;

/**
 * A region's app server lost, then restarted: while eastus's app server is gone, eastus's clients negotiate through
 * westus's (as a global front sends them) naming their home, get westus's instance and eastus's home groups; when
 * eastus's app server starts, its primary's first UP runs failback, which closes exactly those clients on westus
 * (westus's own stay), and they negotiate home.
 */
@Tag("slow")
class ForeignHomeFailbackTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PROTOCOL = "json.webpubsub.azure.v1";

    @TempDir
    Path data;

    @RegisterExtension
    final Closer closer = new Closer();
    private final ExternalServices services = closer.add(new ExternalServices());

    private RunningApp appServer(String region, String other) {
        RunningApp app = closer.add(RunningApp.start(TestSettings.production(services).fastHealth(500, 500)
                .with("xregion.webpubsub.primary", region)
                .with("xregion.servicebus.primary", region)
                .with("xregion.servicebus.secondary", other)
                .with("xregion.webpubsub.home-groups.shards", "2")
                .with("xregion.webpubsub.failback.pace-ms", "100")
                .with("xregion.servicebus.outbox.directory", data.resolve("outbox-" + region).toString()).build()));
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
        return app;
    }

    private JsonNode negotiate(RunningApp app, String query) {
        HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate?" + query));
        assertEquals(200, answer.status(), answer.body());
        return answer.json();
    }

    private WsClient connect(JsonNode answer) {
        WsClient client = closer.add(WsClient.connect(answer.get("url").asText(), PROTOCOL));
        assertEquals("connected", client.nextJson(WAIT).get("event").asText());
        return client;
    }

    @Test
    void aRestartedAppServerBringsHomeItsClientsFromAnotherRegionsAppServer() {
        // eastus's app server is gone; westus's app server serves everyone
        RunningApp westus = appServer("westus", "eastus");
        List<WsClient> eastusClients = new ArrayList<>();
        for (String user : List.of("e-0", "e-1", "e-2", "e-3")) {
            // a client that negotiated with eastus's app server before keeps "home": "eastus" and sends it on
            JsonNode answer = negotiate(westus, "userId=" + user + "&home=eastus");
            assertEquals("westus", answer.get("region").asText());
            assertEquals("eastus", answer.get("home").asText());
            eastusClients.add(connect(answer));
        }
        JsonNode own = negotiate(westus, "userId=w-0");
        assertEquals("westus", own.get("home").asText());
        WsClient westusClient = connect(own);

        // eastus's app server starts: its primary's first UP runs failback on westus's instance
        RunningApp eastus = appServer("eastus", "westus");
        for (WsClient client : eastusClients) {
            JsonNode disconnected = client.nextJson(WAIT);
            assertEquals("disconnected", disconnected.get("event").asText(), disconnected.toString());
            assertTrue(disconnected.get("message").asText().contains("home region"), disconnected.toString());
            client.awaitClose(WAIT);
        }
        Awaitility.await().atMost(WAIT).until(() -> services.westWebPubSub.groupCloses("xregion.home.eastus.0") == 1
                && services.westWebPubSub.groupCloses("xregion.home.eastus.1") == 1);
        assertFalse(westusClient.isClosed(), "westus's own client was closed");

        // they come home: negotiate through eastus's app server (the front sends them there again)
        for (String user : List.of("e-0", "e-1", "e-2", "e-3")) {
            JsonNode answer = negotiate(eastus, "userId=" + user + "&home=eastus");
            assertEquals("eastus", answer.get("region").asText());
            connect(answer);
        }
        assertEquals(4, services.eastWebPubSub.connectionCount("chat"));
        assertFalse(westusClient.isClosed(), "westus's own client was closed");
    }
}
