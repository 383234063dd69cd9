package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xregion.testing.Keys;
import io.xregion.testing.NimbusTokens;
import io.xregion.testing.NodeScript;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The official JavaScript server SDK (@azure/web-pubsub, npm) against the emulator: each REST call it makes is
 * accepted and does what the service does, as real WebSocket clients see it, and the client tokens it mints locally
 * with the access key open connections with their user, groups and roles.
 *
 * <p>One emulator and one node process (src/test/js/webpubsub-server.mjs) serve the class; each test has a hub of
 * its own, named after the test, so in mixed case as the SDK puts it into URLs and token audiences. What a client
 * must not get is checked by order: a marker sent afterwards must be the next thing it sees. Needs node and npm.
 */
@Tag("slow")
class OfficialJsServerSdkTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    /** The first answer waits for node to start and load the SDK. */
    private static final Duration NODE_WAIT = Duration.ofSeconds(15);
    private static final String JSON_PROTOCOL = "json.webpubsub.azure.v1";
    private static final Map<String, Object> TEXT = Map.of("contentType", "text/plain");
    private static final AtomicLong COMMANDS = new AtomicLong();

    private static String key;
    private static WebPubSubEmulator emulator;
    private static NodeScript sdk;

    private String hubName;
    private final List<WsClient> sockets = new ArrayList<>();
    /** The test's connections that no REST call has closed: each gets every marker. */
    private final List<Client> open = new ArrayList<>();

    /** A client connection opened with a URL from the SDK. */
    private record Client(WsClient socket, String connectionId) {
    }

    /** The SDK's answer to one command, and the HTTP requests it sent for it ("POST 202 http://..."). */
    private record Reply(JsonNode line) {
        boolean ok() {
            return line.path("ok").asBoolean();
        }

        JsonNode result() {
            assertTrue(ok(), () -> "the SDK threw: " + line);
            return line.get("result");
        }

        JsonNode error() {
            assertFalse(ok(), () -> "the SDK succeeded: " + line);
            return line.get("error");
        }

        List<String> http() {
            List<String> calls = new ArrayList<>();
            line.path("http").forEach(c -> calls.add(c.path("method").asText() + " " + c.path("status").asInt() + " "
                    + c.path("url").asText()));
            return calls;
        }
    }

    @BeforeAll
    static void start() throws InterruptedException {
        key = Keys.random();
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("js-server-sdk", key));
        sdk = NodeScript.start(NODE_WAIT, "webpubsub-server.mjs", emulator.connectionString());
        sdk.awaitEvent("ready");
    }

    @AfterAll
    static void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    @BeforeEach
    void hubOfTheTest(TestInfo test) {
        hubName = test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void closeSockets() {
        sockets.forEach(WsClient::close);
    }

    // ---- the SDK, through the node script

    /** Runs {@code client[op](...args)}, or {@code client.group(group)[op](...args)} when group is not null. */
    private Reply call(String group, String op, Object... args) throws IOException, InterruptedException {
        long id = COMMANDS.incrementAndGet();
        ObjectNode command = WsClient.JSON.createObjectNode().put("id", id).put("hub", hubName).put("op", op);
        if (group != null) {
            command.put("group", group);
        }
        command.set("args", WsClient.JSON.valueToTree(Arrays.asList(args)));
        sdk.command(WsClient.JSON.writeValueAsString(command));
        return new Reply(sdk.await("the answer to " + command, l -> l.path("id").asLong() == id));
    }

    /** The result of a hub client method, which must succeed. */
    private JsonNode hub(String op, Object... args) throws IOException, InterruptedException {
        return call(null, op, args).result();
    }

    /** The result of a group client method, which must succeed. */
    private JsonNode group(String group, String op, Object... args) throws IOException, InterruptedException {
        return call(group, op, args).result();
    }

    private static Map<String, String> bytes(byte[] data) {
        return Map.of("$bytes", Base64.getEncoder().encodeToString(data));
    }

    // ---- clients

    private Client connect(Map<String, Object> tokenOptions) throws IOException, InterruptedException {
        WsClient socket = WsClient.connect(hub("getClientAccessToken", tokenOptions).get("url").asText(),
                JSON_PROTOCOL);
        sockets.add(socket);
        JsonNode connected = socket.nextJson(WAIT);
        assertEquals("connected", connected.path("event").asText(), connected.toString());
        Client client = new Client(socket, connected.get("connectionId").asText());
        open.add(client);
        return client;
    }

    private Client user(String userId, String... groups) throws IOException, InterruptedException {
        return connect(Map.of("userId", userId, "groups", List.of(groups)));
    }

    /** The client's next frame is a message from the server (group null) or from a group, with this data. */
    private static void assertReceives(Client client, String group, String dataType, String data) {
        JsonNode message = client.socket().nextJson(WAIT);
        assertEquals("message", message.path("type").asText(), message.toString());
        assertEquals(group == null ? "server" : "group", message.path("from").asText(), message.toString());
        if (group != null) {
            assertEquals(group, message.path("group").asText(), message.toString());
        }
        assertEquals(dataType, message.path("dataType").asText(), message.toString());
        assertEquals(data, dataType.equals("json") ? message.get("data").toString() : message.get("data").asText());
    }

    private static void assertReceivesText(Client client, String text) {
        assertReceives(client, null, "text", text);
    }

    /**
     * Sends a marker to the whole hub: it must be the next frame of each open client, so nothing else reached them
     * since (a connection's messages arrive in the order they were sent).
     */
    private void assertNothingElseArrived() throws IOException, InterruptedException {
        String marker = "marker " + COMMANDS.get();
        hub("sendToAll", marker, TEXT);
        for (Client client : open) {
            assertReceivesText(client, marker);
        }
    }

    /** The client got the disconnected message with the reason, then a normal close with it. */
    private void assertClosedWith(Client client, String reason) {
        open.remove(client);
        JsonNode disconnected = client.socket().nextJson(WAIT);
        assertEquals("disconnected", disconnected.path("event").asText(), disconnected.toString());
        assertEquals(reason, disconnected.path("message").asText());
        WsClient.Closed closed = client.socket().awaitClose(WAIT);
        assertEquals(1000, closed.code());
        assertEquals(reason, closed.reason());
    }

    /** Sends a client frame with an ackId and returns the ack's error name, or null when it succeeded. */
    private static String ackError(Client client, Map<String, Object> frame) {
        client.socket().sendJson(frame);
        JsonNode ack = client.socket().nextJson(WAIT);
        assertEquals("ack", ack.path("type").asText(), ack.toString());
        assertEquals(frame.get("ackId"), ack.path("ackId").asInt());
        return ack.path("success").asBoolean() ? null : ack.path("error").path("name").asText();
    }

    // ---- client tokens

    @Test
    void clientTokensAreMintedLocallyForThisInstanceAndOpenConnections() throws Exception {
        Reply minted = call(null, "getClientAccessToken", Map.of("userId", "alice", "groups", List.of("room1",
                "room2"), "roles", List.of("webpubsub.sendToGroup.room1"), "expirationTimeInMinutes", 5));
        assertEquals(List.of(), minted.http(), "a token is minted with the access key, without a REST call");
        String token = minted.result().get("token").asText();
        Map<String, Object> claims = NimbusTokens.verify(key, token);
        // the audience the emulator (and the service) checks: the http endpoint, no trailing slash, the hub as given
        assertEquals(List.of(emulator.endpoint() + "/client/hubs/" + hubName), claims.get("aud"));
        assertEquals("alice", claims.get("sub"));
        assertEquals(List.of("room1", "room2"), claims.get("webpubsub.group"));
        assertEquals(List.of("webpubsub.sendToGroup.room1"), claims.get("role"));
        long exp = ((Date) claims.get("exp")).getTime() / 1000;
        assertTrue(Math.abs(exp - NimbusTokens.inSeconds(300)) < 10, "exp " + exp);
        String url = minted.result().get("url").asText();
        assertEquals("ws://127.0.0.1:" + emulator.port() + "/client/hubs/" + hubName + "?access_token=" + token, url);

        WsClient socket = WsClient.connect(url, JSON_PROTOCOL);
        sockets.add(socket);
        JsonNode connected = socket.nextJson(WAIT);
        assertEquals("alice", connected.path("userId").asText(), connected.toString());
        Client alice = new Client(socket, connected.get("connectionId").asText());
        assertEquals(List.of(alice.connectionId()), emulator.groupMembers(hubName, "room1"));
        assertEquals(List.of(alice.connectionId()), emulator.groupMembers(hubName, "room2"));

        // its roles: it may send to room1 only
        assertEquals(null, ackError(alice, Map.of("type", "sendToGroup", "group", "room1", "ackId", 1, "noEcho",
                true, "dataType", "text", "data", "hi")));
        assertEquals("Forbidden", ackError(alice, Map.of("type", "sendToGroup", "group", "room2", "ackId", 2,
                "noEcho", true, "dataType", "text", "data", "hi")));

        // it gets what the server SDK sends to its user and its groups
        hub("sendToUser", "alice", "for alice", TEXT);
        assertReceivesText(alice, "for alice");
        group("room2", "sendToAll", "for room2", TEXT);
        assertReceives(alice, "room2", "text", "for room2");

        // the token is for this hub only, and a token without a user opens an anonymous connection
        String otherHub = url.replace("/client/hubs/" + hubName + "?", "/client/hubs/other?");
        assertEquals(401, assertThrows(WsClient.HandshakeRefused.class, () -> WsClient.connect(otherHub,
                JSON_PROTOCOL)).status);
        WsClient anonymous = WsClient.connect(hub("getClientAccessToken").get("url").asText(), JSON_PROTOCOL);
        sockets.add(anonymous);
        JsonNode anonymousConnected = anonymous.nextJson(WAIT);
        assertEquals("connected", anonymousConnected.path("event").asText());
        assertFalse(anonymousConnected.has("userId"), anonymousConnected.toString());
    }

    // ---- sends

    @Test
    void sendsReachExactlyTheirTargetsWithTheirDataTypes() throws Exception {
        Client alice = user("alice", "room1");
        Client bob = user("bob");
        Client carol = user("carol", "room1");

        Reply toAll = call(null, "sendToAll", "hello all", TEXT);
        // one call, to the endpoint of the connection string with the SDK's api-version, accepted as the service does
        assertEquals(List.of("POST 202 " + emulator.endpoint() + "/api/hubs/" + hubName
                + "/:send?api-version=2024-12-01"), toAll.http());
        for (Client client : List.of(alice, bob, carol)) {
            assertReceivesText(client, "hello all");
        }

        // without a content type the SDK sends JSON, strings included; bytes go as octet-stream
        hub("sendToAll", Map.of("n", 1));
        hub("sendToAll", "a JSON string");
        hub("sendToAll", bytes(new byte[] {0, 1, (byte) 255}));
        for (Client client : List.of(alice, bob, carol)) {
            assertReceives(client, null, "json", "{\"n\":1}");
            assertReceives(client, null, "json", "\"a JSON string\"");
            assertReceives(client, null, "binary", "AAH/");
        }

        hub("sendToAll", "not alice", Map.of("contentType", "text/plain", "excludedConnections",
                List.of(alice.connectionId())));
        assertReceivesText(bob, "not alice");
        assertReceivesText(carol, "not alice");
        assertNothingElseArrived();

        group("room1", "sendToAll", "to room1", TEXT);
        assertReceives(alice, "room1", "text", "to room1");
        assertReceives(carol, "room1", "text", "to room1");
        assertNothingElseArrived();

        group("room1", "sendToAll", Map.of("to", "room1 but carol"), Map.of("excludedConnections",
                List.of(carol.connectionId())));
        assertReceives(alice, "room1", "json", "{\"to\":\"room1 but carol\"}");
        assertNothingElseArrived();

        hub("sendToUser", "bob", "for bob", Map.of("contentType", "text/plain", "messageTtlSeconds", 60));
        assertReceivesText(bob, "for bob");
        hub("sendToConnection", carol.connectionId(), Map.of("to", "carol"));
        assertReceives(carol, null, "json", "{\"to\":\"carol\"}");
        assertNothingElseArrived();

        // sends to nobody are accepted, as the service accepts them
        hub("sendToUser", "nobody", "lost", TEXT);
        hub("sendToConnection", "no-such-connection", "lost", TEXT);
        group("empty", "sendToAll", "lost", TEXT);
        assertNothingElseArrived();
    }

    @Test
    void filtersChooseTheConnectionsASendReaches() throws Exception {
        Client alice = user("alice", "xregion.v1");
        Client bob = user("bob");
        // what continuity's two fan-out calls send: one to the envelope group's members, one to everyone else
        hub("sendToAll", "enveloped", Map.of("contentType", "text/plain", "filter", "'xregion.v1' in groups"));
        assertReceivesText(alice, "enveloped");
        assertNothingElseArrived();
        hub("sendToAll", "raw", Map.of("contentType", "text/plain", "filter", "not('xregion.v1' in groups)"));
        assertReceivesText(bob, "raw");
        assertNothingElseArrived();
        // within a user's connections too
        hub("sendToUser", "bob", "bob raw", Map.of("contentType", "text/plain", "filter",
                "not('xregion.v1' in groups)"));
        assertReceivesText(bob, "bob raw");
        assertNothingElseArrived();
        hub("sendToAll", "by name", Map.of("contentType", "text/plain", "filter", "userId eq 'alice'"));
        assertReceivesText(alice, "by name");
        assertNothingElseArrived();

        JsonNode send = call(null, "sendToAll", "filtered", Map.of("contentType", "text/plain", "filter",
                "userId eq")).error();
        assertEquals(400, send.path("statusCode").asInt(), send.toString());
        assertTrue(send.path("message").asText().contains("filter"), send.toString());
        JsonNode add = call(null, "addConnectionsToGroups", List.of("g"), "groups eq 'x'").error();
        assertEquals(400, add.path("statusCode").asInt(), add.toString());
        assertFalse(hub("groupExists", "g").asBoolean());
        // a filter on :addToGroups takes only the connections it chooses
        hub("addConnectionsToGroups", List.of("bobs"), "userId eq 'bob'");
        assertEquals(1, emulator.groupMembers(hubName, "bobs").size());
        assertNothingElseArrived();
    }

    // ---- groups and exists checks

    @Test
    void groupMembershipFollowsConnectionsAndUsers() throws Exception {
        Client alice = user("alice");
        Client bob1 = user("bob");
        Client bob2 = user("bob");
        // a name that needs percent-encoding in the path and in the signed URL
        String spaced = "home 1/ü";

        group(spaced, "addConnection", alice.connectionId());
        assertTrue(hub("groupExists", spaced).asBoolean());
        assertEquals("[{\"connectionId\":\"" + alice.connectionId() + "\",\"userId\":\"alice\"}]",
                group(spaced, "listConnections").toString());
        group(spaced, "sendToAll", "to spaced", TEXT);
        assertReceives(alice, spaced, "text", "to spaced");
        assertNothingElseArrived();
        group(spaced, "removeConnection", alice.connectionId());
        assertFalse(hub("groupExists", spaced).asBoolean());

        // a user's group is every connection of the user's
        group("g2", "addUser", "bob");
        group("g2", "sendToAll", "to g2", TEXT);
        assertReceives(bob1, "g2", "text", "to g2");
        assertReceives(bob2, "g2", "text", "to g2");
        assertNothingElseArrived();
        // listed a page of one at a time: the SDK follows the emulator's nextLink
        Reply paged = call("g2", "listConnections", Map.of("maxPageSize", 1));
        List<String> members = new ArrayList<>();
        paged.result().forEach(m -> members.add(m.get("connectionId").asText()));
        assertEquals(List.of(bob1.connectionId(), bob2.connectionId()).stream().sorted().toList(), members);
        assertEquals(2, paged.http().size(), paged.http().toString());
        assertEquals(1, group("g2", "listConnections", Map.of("top", 1)).size());
        group("g2", "removeUser", "bob");
        assertFalse(hub("groupExists", "g2").asBoolean());

        group("g3", "addUser", "bob");
        group("g4", "addUser", "bob");
        hub("removeUserFromAllGroups", "bob");
        assertFalse(hub("groupExists", "g3").asBoolean());
        assertFalse(hub("groupExists", "g4").asBoolean());

        group("g5", "addConnection", alice.connectionId());
        group("g6", "addConnection", alice.connectionId());
        hub("removeConnectionFromAllGroups", alice.connectionId());
        assertFalse(hub("groupExists", "g5").asBoolean());
        assertFalse(hub("groupExists", "g6").asBoolean());

        // without a filter, :addToGroups and :removeFromGroups take every connection of the hub
        hub("addConnectionsToGroups", List.of("all1", "all2"), null);
        assertEquals(3, emulator.groupMembers(hubName, "all1").size());
        assertEquals(3, emulator.groupMembers(hubName, "all2").size());
        hub("removeConnectionsFromGroups", List.of("all1"), null);
        assertFalse(hub("groupExists", "all1").asBoolean());
        assertTrue(hub("groupExists", "all2").asBoolean());

        JsonNode missing = call("g7", "addConnection", "no-such-connection").error();
        assertEquals(404, missing.path("statusCode").asInt(), missing.toString());
        assertFalse(hub("groupExists", "g7").asBoolean());
    }

    @Test
    void existsChecksAnswerTrueAndFalse() throws Exception {
        Client alice = user("alice", "room1");
        assertTrue(hub("userExists", "alice").asBoolean());
        assertFalse(hub("userExists", "nobody").asBoolean());
        assertTrue(hub("groupExists", "room1").asBoolean());
        assertFalse(hub("groupExists", "empty").asBoolean());
        assertTrue(hub("connectionExists", alice.connectionId()).asBoolean());
        assertFalse(hub("connectionExists", "no-such-connection").asBoolean());
    }

    // ---- closing

    @Test
    void closesEndOnlyTheirTargetsAndTellTheReason() throws Exception {
        Client a = user("a", "home.1");
        Client b1 = user("b");
        Client b2 = user("b");
        Client c = user("c");
        Client d = user("d");
        Client e = user("e");

        hub("closeConnection", d.connectionId(), Map.of("reason", "bye d"));
        assertClosedWith(d, "bye d");
        assertFalse(hub("connectionExists", d.connectionId()).asBoolean());
        assertNothingElseArrived();

        group("home.1", "closeAllConnections", Map.of("reason", "group closed"));
        assertClosedWith(a, "group closed");
        assertNothingElseArrived();

        hub("closeUserConnections", "b", Map.of("reason", "user closed"));
        assertClosedWith(b1, "user closed");
        assertClosedWith(b2, "user closed");
        assertFalse(hub("userExists", "b").asBoolean());
        assertNothingElseArrived();

        // the SDK passes the service's excluded list through on the close calls too
        hub("closeAllConnections", Map.of("reason", "all closed", "excluded", List.of(e.connectionId())));
        assertClosedWith(c, "all closed");
        assertNothingElseArrived();
        hub("closeAllConnections", Map.of("reason", "all closed"));
        assertClosedWith(e, "all closed");
        assertEquals(0, emulator.connectionCount(hubName));
    }

    // ---- permissions

    @Test
    void permissionsAreGrantedRevokedAndChecked() throws Exception {
        Client x = user("x");
        Map<String, Object> inG = Map.of("targetName", "g");
        assertFalse(hub("hasPermission", x.connectionId(), "joinLeaveGroup", inG).asBoolean());
        assertEquals("Forbidden", ackError(x, Map.of("type", "joinGroup", "group", "g", "ackId", 1)));

        hub("grantPermission", x.connectionId(), "joinLeaveGroup", inG);
        assertTrue(hub("hasPermission", x.connectionId(), "joinLeaveGroup", inG).asBoolean());
        assertFalse(hub("hasPermission", x.connectionId(), "joinLeaveGroup", Map.of("targetName", "h")).asBoolean());
        assertFalse(hub("hasPermission", x.connectionId(), "sendToGroup", inG).asBoolean());
        assertEquals(null, ackError(x, Map.of("type", "joinGroup", "group", "g", "ackId", 2)));
        assertEquals(List.of(x.connectionId()), emulator.groupMembers(hubName, "g"));

        // a revoke takes the permission away, not the membership
        hub("revokePermission", x.connectionId(), "joinLeaveGroup", inG);
        assertFalse(hub("hasPermission", x.connectionId(), "joinLeaveGroup", inG).asBoolean());
        assertEquals("Forbidden", ackError(x, Map.of("type", "leaveGroup", "group", "g", "ackId", 3)));
        assertEquals(List.of(x.connectionId()), emulator.groupMembers(hubName, "g"));

        // a revoke for one group wins over a token role for every group
        Client y = connect(Map.of("userId", "y", "roles", List.of("webpubsub.sendToGroup")));
        assertTrue(hub("hasPermission", y.connectionId(), "sendToGroup", Map.of("targetName", "quiet")).asBoolean());
        hub("revokePermission", y.connectionId(), "sendToGroup", Map.of("targetName", "quiet"));
        assertFalse(hub("hasPermission", y.connectionId(), "sendToGroup", Map.of("targetName", "quiet")).asBoolean());
        assertTrue(hub("hasPermission", y.connectionId(), "sendToGroup", Map.of("targetName", "loud")).asBoolean());
        Map<String, Object> send = Map.of("type", "sendToGroup", "noEcho", true, "dataType", "text", "data", "hi");
        assertEquals("Forbidden", ackError(y, with(send, "group", "quiet", "ackId", 1)));
        assertEquals(null, ackError(y, with(send, "group", "loud", "ackId", 2)));

        // both permissions are per group; a missing connection has none and cannot be granted any
        assertEquals(400, call(null, "grantPermission", x.connectionId(), "joinLeaveGroup").error()
                .path("statusCode").asInt());
        // a HEAD refusal has no body, and the SDK still throws rather than answer false
        assertEquals(400, call(null, "hasPermission", x.connectionId(), "joinLeaveGroup").error()
                .path("statusCode").asInt());
        assertFalse(hub("hasPermission", "no-such-connection", "joinLeaveGroup", inG).asBoolean());
        assertEquals(404, call(null, "grantPermission", "no-such-connection", "joinLeaveGroup", inG).error()
                .path("statusCode").asInt());
    }

    private static Map<String, Object> with(Map<String, Object> frame, String k1, Object v1, String k2, Object v2) {
        Map<String, Object> copy = new HashMap<>(frame);
        copy.put(k1, v1);
        copy.put(k2, v2);
        return copy;
    }
}
