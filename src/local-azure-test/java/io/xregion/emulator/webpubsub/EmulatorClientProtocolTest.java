package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.Keys;
import io.xregion.testing.NimbusTokens;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client endpoint: token checks, the JSON subprotocols, the reliable protocol's acks and recovery. */
class EmulatorClientProtocolTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String JSON = "json.webpubsub.azure.v1";
    private static final String RELIABLE = "json.reliable.webpubsub.azure.v1";

    private String key;
    private WebPubSubEmulator emulator;

    @BeforeEach
    void start() {
        key = Keys.random();
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("eastus", key).withReliableBufferSize(5)
                .withRecoveryWindow(Duration.ofSeconds(2)));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private String http() {
        return "http://127.0.0.1:" + emulator.port();
    }

    private String ws() {
        return "ws://127.0.0.1:" + emulator.port();
    }

    private String token(String user, List<String> roles) {
        return NimbusTokens.sign(key, Map.of("aud", http() + "/client/hubs/chat", "exp", NimbusTokens.inSeconds(600),
                "sub", user, "role", roles));
    }

    private WsClient connect(String user, List<String> roles, String protocol) {
        return WsClient.connect(ws() + "/client/hubs/chat?access_token=" + token(user, roles), protocol);
    }

    private void send(String text) {
        String path = "/api/hubs/chat/:send?api-version=2024-01-01";
        String restToken = NimbusTokens.sign(key, Map.of("aud", http() + path, "exp", NimbusTokens.inSeconds(600)));
        var answer = io.xregion.testing.HttpCalls.call("POST", http() + path,
                Map.of("Authorization", "Bearer " + restToken, "Content-Type", "text/plain"),
                text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(202, answer.status());
    }

    @Test
    void badTokensAreRefusedAtTheHandshakeWith401() {
        String other = NimbusTokens.sign(Keys.random(), Map.of("aud", http() + "/client/hubs/chat",
                "exp", NimbusTokens.inSeconds(600)));
        String expired = NimbusTokens.sign(key, Map.of("aud", http() + "/client/hubs/chat",
                "exp", NimbusTokens.inSeconds(-600)));
        String otherHub = NimbusTokens.sign(key, Map.of("aud", http() + "/client/hubs/news",
                "exp", NimbusTokens.inSeconds(600)));
        for (String url : List.of(ws() + "/client/hubs/chat", ws() + "/client/hubs/chat?access_token=" + other,
                ws() + "/client/hubs/chat?access_token=" + expired, ws() + "/client/hubs/chat?access_token=" + otherHub)) {
            WsClient.HandshakeRefused refused = assertThrows(WsClient.HandshakeRefused.class,
                    () -> WsClient.connect(url, JSON));
            assertEquals(401, refused.status, url);
        }
        // the token may also be named in any case, or come with the ?hub= form of the URL
        try (WsClient client = WsClient.connect(ws() + "/client?hub=chat&ACCESS_TOKEN=" + token("u", List.of()), JSON)) {
            assertEquals("connected", client.nextJson(WAIT).get("event").asText());
        }
    }

    @Test
    void unknownSubprotocolsAreRefusedAndTheFirstKnownOneIsChosen() {
        WsClient.HandshakeRefused refused = assertThrows(WsClient.HandshakeRefused.class,
                () -> connect("u", List.of(), "protobuf.webpubsub.azure.v1"));
        assertEquals(400, refused.status);
        try (WsClient client = WsClient.connect(ws() + "/client/hubs/chat?access_token=" + token("u", List.of()),
                "protobuf.webpubsub.azure.v1", RELIABLE, JSON)) {
            assertEquals(RELIABLE, client.subprotocol());
        }
    }

    @Test
    void groupsNeedTheRightRolesAndAcksSayWhy() {
        try (WsClient noRoles = connect("nobody", List.of(), JSON);
                WsClient member = connect("member", List.of("webpubsub.joinLeaveGroup.room1",
                        "webpubsub.sendToGroup.room1"), JSON);
                WsClient wide = connect("wide", List.of("webpubsub.joinLeaveGroups.room.*", "webpubsub.sendToGroup"),
                        JSON)) {
            noRoles.nextJson(WAIT);
            member.nextJson(WAIT);
            wide.nextJson(WAIT);

            noRoles.sendJson(Map.of("type", "joinGroup", "group", "room1", "ackId", 1));
            JsonNode forbidden = noRoles.nextJson(WAIT);
            assertFalse(forbidden.get("success").asBoolean());
            assertEquals("Forbidden", forbidden.get("error").get("name").asText());

            member.sendJson(Map.of("type", "joinGroup", "group", "room1", "ackId", 1));
            assertTrue(member.nextJson(WAIT).get("success").asBoolean());
            member.sendJson(Map.of("type", "joinGroup", "group", "room2", "ackId", 2));
            assertEquals("Forbidden", member.nextJson(WAIT).get("error").get("name").asText());

            wide.sendJson(Map.of("type", "joinGroup", "group", "room.a", "ackId", 1));
            assertTrue(wide.nextJson(WAIT).get("success").asBoolean());
            wide.sendJson(Map.of("type", "joinGroup", "group", "room.a.b", "ackId", 2));
            assertEquals("Forbidden", wide.nextJson(WAIT).get("error").get("name").asText());

            // a client message to a group reaches members, tagged with the sender; noEcho skips the sender
            wide.sendJson(Map.of("type", "sendToGroup", "group", "room1", "dataType", "text", "data", "hi", "ackId", 3));
            assertTrue(wide.nextJson(WAIT).get("success").asBoolean());
            JsonNode received = member.nextJson(WAIT);
            assertEquals("group", received.get("from").asText());
            assertEquals("room1", received.get("group").asText());
            assertEquals("wide", received.get("fromUserId").asText());
            assertEquals("hi", received.get("data").asText());
            member.sendJson(Map.of("type", "sendToGroup", "group", "room1", "noEcho", true, "dataType", "json",
                    "data", Map.of("k", "v")));
            // frames are handled in order: had the message been echoed, it would come before the pong
            member.sendJson(Map.of("type", "ping"));
            assertEquals("pong", member.nextJson(WAIT).get("type").asText(), "noEcho: nothing came back");

            // an ackId is used once per connection
            member.sendJson(Map.of("type", "leaveGroup", "group", "room1", "ackId", 1));
            assertEquals("Duplicate", member.nextJson(WAIT).get("error").get("name").asText());

            member.sendJson(Map.of("type", "ping"));
            assertEquals("pong", member.nextJson(WAIT).get("type").asText());
        }
    }

    @Test
    void reliableConnectionsNumberMessagesAndReplayUnackedOnesAfterRecovery() {
        WsClient first = connect("r", List.of(), RELIABLE);
        JsonNode connected = first.nextJson(WAIT);
        String id = connected.get("connectionId").asText();
        String reconnectionToken = connected.get("reconnectionToken").asText();
        assertFalse(reconnectionToken.isEmpty());

        send("one");
        send("two");
        assertEquals(1, first.nextJson(WAIT).get("sequenceId").asLong());
        assertEquals(2, first.nextJson(WAIT).get("sequenceId").asLong());
        first.sendJson(Map.of("type", "sequenceAck", "sequenceId", 1));
        // frames are handled in order, so the pong proves the ack was taken before the socket drops
        first.sendJson(Map.of("type", "ping"));
        assertEquals("pong", first.nextJson(WAIT).get("type").asText());
        first.close();
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> emulator.connectionCount("chat") == 1);
        send("three");

        String recoverUrl = ws() + "/client/hubs/chat?awps_connection_id=" + id + "&awps_reconnection_token="
                + reconnectionToken;
        try (WsClient recovered = WsClient.connect(recoverUrl, RELIABLE)) {
            JsonNode replay = recovered.nextJson(WAIT);
            assertEquals("message", replay.get("type").asText(), "no second connected message after recovery");
            assertEquals(2, replay.get("sequenceId").asLong());
            assertEquals("two", replay.get("data").asText());
            JsonNode three = recovered.nextJson(WAIT);
            assertEquals("three", three.get("data").asText());
            assertEquals(3, three.get("sequenceId").asLong());
            // message 1 was acknowledged and is not replayed: after the replay and the new message, only the pong
            recovered.sendJson(Map.of("type", "ping"));
            assertEquals("pong", recovered.nextJson(WAIT).get("type").asText());
        }
    }

    @Test
    void recoveryIsRefusedWith1008WhenTheConnectionIsGone() {
        WsClient first = connect("r", List.of(), RELIABLE);
        JsonNode connected = first.nextJson(WAIT);
        String url = ws() + "/client/hubs/chat?awps_connection_id=" + connected.get("connectionId").asText()
                + "&awps_reconnection_token=" + connected.get("reconnectionToken").asText();
        first.close();
        // the recovery window (2 s here) passes
        Awaitility.await().atMost(Duration.ofSeconds(6)).until(() -> emulator.connectionCount("chat") == 0);
        try (WsClient late = WsClient.connect(url, RELIABLE)) {
            assertEquals(1008, late.awaitClose(WAIT).code());
        }
        try (WsClient forged = WsClient.connect(ws() + "/client/hubs/chat?awps_connection_id=x"
                + "&awps_reconnection_token=y", RELIABLE)) {
            assertEquals(1008, forged.awaitClose(WAIT).code());
        }
    }

    @Test
    void aConsumerThatNeverAcksIsAbortedWhenItsBufferOverflows() {
        try (WsClient slow = connect("slow", List.of(), RELIABLE)) {
            slow.nextJson(WAIT);
            for (int i = 0; i < 6; i++) {
                send("m" + i);
            }
            assertEquals(1008, slow.awaitClose(WAIT).code());
            assertEquals(0, emulator.connectionCount("chat"));
        }
    }
}
