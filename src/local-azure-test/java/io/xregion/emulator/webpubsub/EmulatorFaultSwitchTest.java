package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;

import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.azure.messaging.webpubsub.models.WebPubSubContentType;
import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.Keys;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The switches that simulate a regional outage: unhealthy, down and up again on the same port. */
class EmulatorFaultSwitchTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private WebPubSubEmulator emulator;
    private WebPubSubServiceClient sdk;

    @BeforeEach
    void start() {
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("westus", Keys.random()));
        sdk = new WebPubSubServiceClientBuilder().connectionString(emulator.connectionString()).hub("chat")
                .buildClient();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private String health() {
        return "http://127.0.0.1:" + emulator.port() + "/api/health";
    }

    @Test
    void unhealthyFailsTheHealthCheckButKeepsServing() {
        try (WsClient client = WsClient.connect(sdk.getClientAccessToken(new GetClientAccessTokenOptions()).getUrl(),
                "json.webpubsub.azure.v1")) {
            client.nextJson(WAIT);
            emulator.unhealthy();
            assertEquals(WebPubSubEmulator.Health.UNHEALTHY, emulator.health());
            assertEquals(503, HttpCalls.get(health()).status());
            sdk.sendToAll("still here", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("still here", client.nextJson(WAIT).get("data").asText());
            emulator.up();
            assertEquals(200, HttpCalls.get(health()).status());
            assertFalse(client.isClosed());
        }
    }

    @Test
    void downDropsEveryConnectionAndAllStateThenUpServesOnTheSamePort() {
        int port = emulator.port();
        WsClient reliable = WsClient.connect(sdk.getClientAccessToken(new GetClientAccessTokenOptions()
                .addGroup("g")).getUrl(), "json.reliable.webpubsub.azure.v1");
        JsonNode connected = reliable.nextJson(WAIT);

        emulator.down();
        WsClient.Closed closed = reliable.awaitClose(WAIT);
        assertNotEquals(1000, closed.code(), "an outage is not a clean close: " + closed);
        UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> HttpCalls.get(health()));
        assertEquals(ConnectException.class, refused.getCause().getClass());

        emulator.up();
        assertEquals(port, emulator.port());
        assertEquals(200, HttpCalls.get(health()).status());
        assertEquals(0, emulator.connectionCount("chat"));
        assertEquals(0, emulator.groupMembers("chat", "g").size());
        // the outage lost the connection's state, so it cannot be recovered
        try (WsClient recovery = WsClient.connect("ws://127.0.0.1:" + port + "/client/hubs/chat?awps_connection_id="
                + connected.get("connectionId").asText() + "&awps_reconnection_token="
                + connected.get("reconnectionToken").asText(), "json.reliable.webpubsub.azure.v1")) {
            assertEquals(1008, recovery.awaitClose(WAIT).code());
        }
        // new connections work
        try (WsClient fresh = WsClient.connect(sdk.getClientAccessToken(new GetClientAccessTokenOptions()).getUrl(),
                "json.webpubsub.azure.v1")) {
            assertEquals("connected", fresh.nextJson(WAIT).get("event").asText());
        }
    }
}
