package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.azure.core.http.rest.RequestOptions;
import com.azure.core.util.BinaryData;
import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.azure.messaging.webpubsub.models.WebPubSubContentType;
import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.Keys;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Java SDK (azure-messaging-webpubsub) works against the emulator unchanged: its REST calls are
 * accepted and do what the service does, and the client tokens it mints locally open WebSocket connections.
 */
class EmulatorRestSdkTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String JSON_PROTOCOL = "json.webpubsub.azure.v1";

    private WebPubSubEmulator emulator;
    private WebPubSubServiceClient sdk;

    @BeforeEach
    void start() {
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("eastus", Keys.random()));
        sdk = new WebPubSubServiceClientBuilder().connectionString(emulator.connectionString()).hub("chat")
                .buildClient();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private WsClient connect(GetClientAccessTokenOptions options) {
        return WsClient.connect(sdk.getClientAccessToken(options).getUrl(), JSON_PROTOCOL);
    }

    @Test
    void sdkTokenConnectsWithUserIdAndGroupsFromTheToken() {
        try (WsClient alice = connect(new GetClientAccessTokenOptions().setUserId("alice").addGroup("room1"))) {
            JsonNode connected = alice.nextJson(WAIT);
            assertEquals("system", connected.get("type").asText());
            assertEquals("connected", connected.get("event").asText());
            assertEquals("alice", connected.get("userId").asText());
            String connectionId = connected.get("connectionId").asText();
            assertFalse(connectionId.isEmpty());
            assertEquals(JSON_PROTOCOL, alice.subprotocol());

            assertTrue(sdk.connectionExistsWithResponse(connectionId, new RequestOptions()).getValue());
            assertTrue(sdk.userExistsWithResponse("alice", new RequestOptions()).getValue());
            assertTrue(sdk.groupExistsWithResponse("room1", new RequestOptions()).getValue());
            assertFalse(sdk.userExistsWithResponse("bob", new RequestOptions()).getValue());
            assertFalse(sdk.groupExistsWithResponse("room2", new RequestOptions()).getValue());
            assertFalse(sdk.connectionExistsWithResponse("nope", new RequestOptions()).getValue());
        }
    }

    @Test
    void everySendReachesItsTargetWithTheContentTypesDataType() {
        try (WsClient alice = connect(new GetClientAccessTokenOptions().setUserId("alice").addGroup("room1"));
                WsClient bob = connect(new GetClientAccessTokenOptions().setUserId("bob"))) {
            String aliceId = alice.nextJson(WAIT).get("connectionId").asText();
            bob.nextJson(WAIT);

            sdk.sendToAll("hello all", WebPubSubContentType.TEXT_PLAIN);
            for (WsClient client : new WsClient[] {alice, bob}) {
                JsonNode message = client.nextJson(WAIT);
                assertEquals("message", message.get("type").asText());
                assertEquals("server", message.get("from").asText());
                assertEquals("text", message.get("dataType").asText());
                assertEquals("hello all", message.get("data").asText());
            }

            sdk.sendToGroup("room1", "{\"n\":1}", WebPubSubContentType.APPLICATION_JSON);
            JsonNode group = alice.nextJson(WAIT);
            assertEquals("group", group.get("from").asText());
            assertEquals("room1", group.get("group").asText());
            assertEquals("json", group.get("dataType").asText());
            assertEquals(1, group.get("data").get("n").asInt());

            byte[] bytes = {0, 1, 2, (byte) 255};
            sdk.sendToUserWithResponse("bob", BinaryData.fromBytes(bytes), WebPubSubContentType.APPLICATION_OCTET_STREAM,
                    bytes.length, new RequestOptions());
            JsonNode binary = bob.nextJson(WAIT);
            assertEquals("binary", binary.get("dataType").asText());
            assertEquals(Base64.getEncoder().encodeToString(bytes), binary.get("data").asText());

            sdk.sendToConnection(aliceId, "just you", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("just you", alice.nextJson(WAIT).get("data").asText());

            // nothing else arrived where it should not have: a message to all is the next thing each one sees
            // (one connection's messages arrive in the order they were sent)
            sdk.sendToAll("marker", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("marker", alice.nextJson(WAIT).get("data").asText());
            assertEquals("marker", bob.nextJson(WAIT).get("data").asText());
        }
    }

    @Test
    void excludedConnectionsAreSkipped() {
        try (WsClient alice = connect(new GetClientAccessTokenOptions().setUserId("alice"));
                WsClient bob = connect(new GetClientAccessTokenOptions().setUserId("bob"))) {
            String aliceId = alice.nextJson(WAIT).get("connectionId").asText();
            bob.nextJson(WAIT);
            sdk.sendToAllWithResponse(BinaryData.fromString("not alice"),
                    new RequestOptions().addQueryParam("excluded", aliceId).setHeader(
                            com.azure.core.http.HttpHeaderName.CONTENT_TYPE, "text/plain"));
            assertEquals("not alice", bob.nextJson(WAIT).get("data").asText());
            sdk.sendToAll("marker", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("marker", alice.nextJson(WAIT).get("data").asText(), "alice got only what followed");
        }
    }

    @Test
    void groupMembershipThroughRestFollowsConnectionsAndUsers() {
        try (WsClient alice = connect(new GetClientAccessTokenOptions().setUserId("alice"))) {
            String aliceId = alice.nextJson(WAIT).get("connectionId").asText();
            sdk.addConnectionToGroupWithResponse("g1", aliceId, new RequestOptions());
            assertTrue(sdk.groupExistsWithResponse("g1", new RequestOptions()).getValue());
            sdk.removeConnectionFromGroupWithResponse("g1", aliceId, new RequestOptions());
            assertFalse(sdk.groupExistsWithResponse("g1", new RequestOptions()).getValue());

            sdk.addUserToGroupWithResponse("g2", "alice", new RequestOptions());
            sdk.sendToGroup("g2", "to g2", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("to g2", alice.nextJson(WAIT).get("data").asText());
            sdk.removeUserFromAllGroupsWithResponse("alice", new RequestOptions());
            assertFalse(sdk.groupExistsWithResponse("g2", new RequestOptions()).getValue());

            // a user leaves one group and stays in the others; a connection leaves every group at once
            sdk.addUserToGroupWithResponse("g4", "alice", new RequestOptions());
            sdk.addUserToGroupWithResponse("g5", "alice", new RequestOptions());
            sdk.removeUserFromGroupWithResponse("g4", "alice", new RequestOptions());
            assertFalse(sdk.groupExistsWithResponse("g4", new RequestOptions()).getValue());
            assertTrue(sdk.groupExistsWithResponse("g5", new RequestOptions()).getValue());
            sdk.addConnectionToGroupWithResponse("g6", aliceId, new RequestOptions());
            sdk.removeConnectionFromAllGroupsWithResponse(aliceId, new RequestOptions());
            assertFalse(sdk.groupExistsWithResponse("g5", new RequestOptions()).getValue());
            assertFalse(sdk.groupExistsWithResponse("g6", new RequestOptions()).getValue());
        }
        // a user's group membership applies to the user's later connections too
        sdk.addUserToGroupWithResponse("g3", "carol", new RequestOptions());
        try (WsClient carol = connect(new GetClientAccessTokenOptions().setUserId("carol"))) {
            carol.nextJson(WAIT);
            sdk.sendToGroup("g3", "to g3", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("to g3", carol.nextJson(WAIT).get("data").asText());
        }
    }

    @Test
    void closeConnectionTellsTheReasonThenCloses() {
        try (WsClient alice = connect(new GetClientAccessTokenOptions().setUserId("alice"))) {
            String aliceId = alice.nextJson(WAIT).get("connectionId").asText();
            sdk.closeConnectionWithResponse(aliceId, new RequestOptions().addQueryParam("reason", "move along"));
            JsonNode disconnected = alice.nextJson(WAIT);
            assertEquals("disconnected", disconnected.get("event").asText());
            assertEquals("move along", disconnected.get("message").asText());
            WsClient.Closed closed = alice.awaitClose(WAIT);
            assertEquals(1000, closed.code());
            assertEquals("move along", closed.reason());
            assertFalse(sdk.connectionExistsWithResponse(aliceId, new RequestOptions()).getValue());
        }
    }

    @Test
    void closeByGroupUserAndAllTouchOnlyTheirTargets() {
        try (WsClient a = connect(new GetClientAccessTokenOptions().setUserId("a").addGroup("home.1"));
                WsClient b = connect(new GetClientAccessTokenOptions().setUserId("b").addGroup("home.2"));
                WsClient c = connect(new GetClientAccessTokenOptions().setUserId("c"))) {
            a.nextJson(WAIT);
            b.nextJson(WAIT);
            c.nextJson(WAIT);
            sdk.closeGroupConnectionsWithResponse("home.1", new RequestOptions());
            a.awaitClose(WAIT);
            assertFalse(b.isClosed());
            sdk.closeUserConnectionsWithResponse("b", new RequestOptions());
            b.awaitClose(WAIT);
            assertFalse(c.isClosed());
            sdk.closeAllConnectionsWithResponse(new RequestOptions());
            c.awaitClose(WAIT);
            assertEquals(0, emulator.connectionCount("chat"));
        }
    }

    @Test
    void rawClientsGetPayloadsVerbatim() {
        String url = sdk.getClientAccessToken(new GetClientAccessTokenOptions().setUserId("raw")).getUrl();
        try (WsClient raw = WsClient.connect(url)) {
            // a raw client gets no connected message, so wait until the emulator has it
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> emulator.connectionCount("chat") == 1);
            sdk.sendToAll("{\"a\":1}", WebPubSubContentType.APPLICATION_JSON);
            assertEquals("{\"a\":1}", raw.next(WAIT).text());
            byte[] bytes = "bin".getBytes(StandardCharsets.UTF_8);
            sdk.sendToAllWithResponse(BinaryData.fromBytes(bytes), WebPubSubContentType.APPLICATION_OCTET_STREAM,
                    bytes.length, new RequestOptions());
            WsClient.Frame frame = raw.next(WAIT);
            assertNull(frame.text());
            assertEquals("bin", new String(frame.binary(), StandardCharsets.UTF_8));
        }
    }
}
