package io.xregion.emulator.webpubsub;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import io.xregion.emulator.security.AccessKeyTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client WebSocket endpoint {@code /client/hubs/{hub}}: token check, the connect event, the JSON subprotocols
 * (plain and reliable, with recovery) and raw WebSocket clients.
 */
final class ClientEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(ClientEndpoint.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The longest close reason a WebSocket close frame carries (125 bytes minus the code). */
    private static final int MAX_CLOSE_REASON = 120;

    private final WebPubSubEmulator emulator;
    private final EmulatorOptions options;
    private final Upstream upstream;
    private final Clock clock;
    private final AccessKeyTokens tokens;

    ClientEndpoint(WebPubSubEmulator emulator, EmulatorOptions options, Upstream upstream, Clock clock) {
        this.emulator = emulator;
        this.options = options;
        this.upstream = upstream;
        this.clock = clock;
        this.tokens = new AccessKeyTokens(options.accessKey());
    }

    void handshake(ServerWebSocket ws) {
        Map<String, List<String>> params;
        try {
            params = new QueryStringDecoder(ws.uri()).parameters();
        } catch (IllegalArgumentException e) {
            ws.reject(400);
            return;
        }
        String hubName = hubOf(ws.path(), params);
        if (hubName == null) {
            ws.reject(404);
            return;
        }
        if (!Names.validHub(hubName)) {
            ws.reject(400);
            return;
        }
        String recoveryId = first(params, "awps_connection_id");
        if (recoveryId != null) {
            recover(ws, hubName.toLowerCase(Locale.ROOT), recoveryId, first(params, "awps_reconnection_token"));
            return;
        }
        Map<String, Object> claims;
        try {
            claims = tokens.verify(token(ws, params), clock, options.clockSkew());
        } catch (AccessKeyTokens.InvalidTokenException e) {
            LOG.debug("[{}] client refused: {}", options.name(), e.getMessage());
            ws.reject(401);
            return;
        }
        String expectedAudience = ws.scheme() + "://" + ws.authority() + "/client/hubs/" + hubName;
        if (!(claims.get("aud") instanceof String aud) || !aud.equalsIgnoreCase(expectedAudience)) {
            LOG.debug("[{}] client refused: audience is not {}", options.name(), expectedAudience);
            ws.reject(401);
            return;
        }
        ClientProtocol protocol = ClientProtocol.negotiate(ws.headers().get("Sec-WebSocket-Protocol"));
        List<String> groups = strings(claims.get("webpubsub.group"));
        if (protocol == null || !groups.stream().allMatch(Names::validGroup)) {
            ws.reject(400);
            return;
        }
        Hub hub = emulator.hub(hubName);
        String userId = claims.get("sub") instanceof String sub && !sub.isEmpty() ? sub : null;
        List<String> roles = strings(claims.get("role"));
        String connectionId = randomId(16);
        String reconnectionToken = protocol.reliable ? randomId(32) : null;
        Promise<Integer> handshake = Promise.promise();
        ConnectDecision decision = new ConnectDecision(userId, roles, groups);
        ws.setHandshake(handshake.future(), result -> {
            if (result.succeeded() && result.result() == 101) {
                ClientConnection connection = new ClientConnection(connectionId, decision.userId, hub, protocol,
                        reconnectionToken, decision.roles, options.reliableBufferSize());
                connection.connectionState = decision.connectionState;
                open(ws, connection, decision.groups);
            }
        });
        if (!upstream.configured()) {
            handshake.complete(101);
            return;
        }
        ClientConnection pending = new ClientConnection(connectionId, userId, hub, protocol, null, roles, 0);
        upstream.connect(pending, Buffer.buffer(Frames.write(connectBody(claims, params, ws, protocol))))
                .onComplete(answer -> {
                    if (answer.failed()) {
                        LOG.warn("[{}] connect event failed: {}", options.name(), answer.cause().getMessage());
                        handshake.complete(500);
                        return;
                    }
                    Upstream.Response response = answer.result();
                    if (response.status() >= 400 && response.status() < 500) {
                        handshake.complete(response.status());
                    } else if (!response.ok() || !decision.apply(response)) {
                        handshake.complete(500);
                    } else {
                        handshake.complete(101);
                    }
                });
    }

    /** What the token and the connect event decided about a new connection. */
    private static final class ConnectDecision {
        String userId;
        List<String> roles;
        List<String> groups;
        String connectionState;

        ConnectDecision(String userId, List<String> roles, List<String> groups) {
            this.userId = userId;
            this.roles = new ArrayList<>(roles);
            this.groups = new ArrayList<>(groups);
        }

        /** Applies a 200 answer ({userId, groups, roles}) or a 204; false when the answer is malformed. */
        boolean apply(Upstream.Response response) {
            connectionState = response.connectionState();
            if (response.status() == 204 || response.body() == null || response.body().length() == 0) {
                return true;
            }
            try {
                JsonNode body = Frames.JSON.readTree(response.body().getBytes());
                if (!body.isObject()) {
                    return false;
                }
                if (body.hasNonNull("userId")) {
                    userId = body.get("userId").asText();
                }
                for (JsonNode group : body.path("groups")) {
                    if (!Names.validGroup(group.asText())) {
                        return false;
                    }
                    groups.add(group.asText());
                }
                for (JsonNode role : body.path("roles")) {
                    roles.add(role.asText());
                }
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        }
    }

    private void open(ServerWebSocket ws, ClientConnection connection, Collection<String> groups) {
        Hub hub = connection.hub;
        hub.add(connection);
        for (String group : groups) {
            hub.join(connection, group);
        }
        connection.attach(ws);
        listen(ws, connection);
        connection.sendControl(Frames.connected(connection.id, connection.userId, connection.reconnectionToken));
        if (upstream.configured()) {
            upstream.connected(connection);
        }
    }

    private void recover(ServerWebSocket ws, String hubName, String connectionId, String reconnectionToken) {
        Hub hub = emulator.existingHub(hubName);
        ClientConnection connection = hub == null ? null : hub.connection(connectionId);
        ws.accept();
        if (connection == null || connection.disposed || !connection.protocol.reliable
                || reconnectionToken == null || !reconnectionToken.equals(connection.reconnectionToken)) {
            ws.close((short) 1008, "The connection cannot be recovered");
            return;
        }
        if (connection.recoveryTimer >= 0) {
            emulator.vertx().cancelTimer(connection.recoveryTimer);
            connection.recoveryTimer = -1;
        }
        ServerWebSocket previous = connection.socket();
        connection.detach();
        if (previous != null) {
            previous.close();
        }
        connection.attach(ws);
        listen(ws, connection);
    }

    private void listen(ServerWebSocket ws, ClientConnection connection) {
        ws.textMessageHandler(text -> {
            if (connection.socket() == ws) {
                onText(connection, text);
            }
        });
        ws.binaryMessageHandler(data -> {
            if (connection.socket() == ws) {
                onBinary(connection, data);
            }
        });
        ws.closeHandler(v -> onSocketClosed(connection, ws));
        ws.exceptionHandler(e -> LOG.debug("[{}] socket of {} failed: {}", options.name(), connection.id,
                e.getMessage()));
    }

    private void onSocketClosed(ClientConnection connection, ServerWebSocket ws) {
        if (connection.disposed || connection.socket() != ws) {
            return;
        }
        connection.detach();
        if (connection.protocol.reliable) {
            connection.recoveryTimer = emulator.vertx().setTimer(options.recoveryWindow().toMillis(), id -> {
                connection.recoveryTimer = -1;
                if (!connection.connected()) {
                    dispose(connection, "The connection was not recovered in time", (short) 1000, false);
                }
            });
        } else {
            dispose(connection, "The client closed the connection", (short) 1000, false);
        }
    }

    // ---- messages from clients

    private void onBinary(ClientConnection connection, Buffer data) {
        if (connection.protocol == ClientProtocol.RAW) {
            rawMessage(connection, new Payload(Payload.DataType.BINARY, data.getBytes()));
        }
        // JSON subprotocols carry text frames only; the service ignores anything else
    }

    private void onText(ClientConnection connection, String text) {
        if (connection.protocol == ClientProtocol.RAW) {
            rawMessage(connection, new Payload(Payload.DataType.TEXT, text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return;
        }
        JsonNode frame;
        try {
            frame = Frames.JSON.readTree(text);
        } catch (java.io.IOException e) {
            LOG.debug("[{}] {} sent a frame that is not JSON", options.name(), connection.id);
            return;
        }
        String type = frame.path("type").asText("");
        Long ackId = frame.hasNonNull("ackId") && frame.get("ackId").canConvertToLong()
                ? frame.get("ackId").asLong() : null;
        if (ackId != null && !type.equals("sequenceAck") && !connection.firstUseOf(ackId)) {
            connection.sendControl(Frames.ack(ackId, "Duplicate", "The ackId was used before on this connection"));
            return;
        }
        switch (type) {
            case "joinGroup" -> joinOrLeave(connection, frame, ackId, true);
            case "leaveGroup" -> joinOrLeave(connection, frame, ackId, false);
            case "sendToGroup" -> sendToGroup(connection, frame, ackId);
            case "event" -> event(connection, frame, ackId);
            case "sequenceAck" -> {
                if (frame.path("sequenceId").canConvertToLong()) {
                    connection.acknowledge(frame.get("sequenceId").asLong());
                }
            }
            case "ping" -> connection.sendControl(Frames.pong());
            default -> ack(connection, ackId, "InvalidRequest", "Unknown message type");
        }
    }

    private void joinOrLeave(ClientConnection connection, JsonNode frame, Long ackId, boolean join) {
        String group = frame.path("group").asText(null);
        if (!Names.validGroup(group)) {
            ack(connection, ackId, "InvalidRequest", "The group name is not valid");
        } else if (!connection.allows(Roles.JOIN_LEAVE, group)) {
            ack(connection, ackId, "Forbidden", "The connection has no permission to join or leave " + group);
        } else {
            if (join) {
                connection.hub.join(connection, group);
            } else {
                connection.hub.leave(connection, group);
            }
            ack(connection, ackId, null, null);
        }
    }

    private void sendToGroup(ClientConnection connection, JsonNode frame, Long ackId) {
        String group = frame.path("group").asText(null);
        Payload payload = payloadOf(frame);
        if (!Names.validGroup(group) || payload == null) {
            ack(connection, ackId, "InvalidRequest", "The group name or the data is not valid");
            return;
        }
        if (!connection.allows(Roles.SEND, group)) {
            ack(connection, ackId, "Forbidden", "The connection has no permission to send to " + group);
            return;
        }
        boolean noEcho = frame.path("noEcho").asBoolean(false);
        for (ClientConnection member : connection.hub.groupMembers(group)) {
            if (!(noEcho && member == connection)) {
                emulator.deliver(member, payload, group, connection.userId);
            }
        }
        ack(connection, ackId, null, null);
    }

    private void event(ClientConnection connection, JsonNode frame, Long ackId) {
        String event = frame.path("event").asText("");
        Payload payload = payloadOf(frame);
        if (event.isEmpty() || payload == null) {
            ack(connection, ackId, "InvalidRequest", "The event name or the data is not valid");
            return;
        }
        if (!upstream.configured()) {
            ack(connection, ackId, "NotFound", "No event handler is configured for this hub");
            return;
        }
        upstream.userEvent(connection, event, payload).onComplete(answer -> {
            if (answer.succeeded() && answer.result().ok()) {
                reply(connection, answer.result());
                ack(connection, ackId, null, null);
            } else {
                ack(connection, ackId, "InternalServerError", "The event handler failed");
            }
        });
    }

    private void rawMessage(ClientConnection connection, Payload payload) {
        if (!upstream.configured()) {
            return;
        }
        upstream.userEvent(connection, "message", payload).onComplete(answer -> {
            if (answer.succeeded() && answer.result().ok()) {
                reply(connection, answer.result());
            } else if (connection.socket() != null) {
                dispose(connection, "The event handler failed", (short) 1011, false);
            }
        });
    }

    /** An event handler's 200 body goes back to the client that sent the event. */
    private void reply(ClientConnection connection, Upstream.Response response) {
        if (response.status() != 200 || response.body() == null || response.body().length() == 0
                || connection.disposed) {
            return;
        }
        Payload.DataType type = Payload.DataType.ofContentType(response.contentType());
        emulator.deliver(connection, new Payload(type == null ? Payload.DataType.BINARY : type,
                response.body().getBytes()), null, null);
        if (response.connectionState() != null) {
            connection.connectionState = response.connectionState();
        }
    }

    private static void ack(ClientConnection connection, Long ackId, String errorName, String message) {
        if (ackId != null) {
            connection.sendControl(Frames.ack(ackId, errorName, message));
        }
    }

    /** The data of a sendToGroup or event message, or null when it does not match its dataType. */
    private static Payload payloadOf(JsonNode frame) {
        Payload.DataType type = Payload.DataType.ofWireName(frame.path("dataType").asText("json"));
        JsonNode data = frame.get("data");
        if (type == null || data == null) {
            return null;
        }
        switch (type) {
            case TEXT:
                return data.isTextual() ? new Payload(type, data.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)) : null;
            case BINARY:
                if (!data.isTextual()) {
                    return null;
                }
                try {
                    return new Payload(type, Base64.getDecoder().decode(data.asText()));
                } catch (IllegalArgumentException e) {
                    return null;
                }
            default:
                return new Payload(type, Frames.write(data).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    // ---- closing

    /**
     * Ends a logical connection: the client first gets a disconnected message (JSON protocols) when told, then the
     * close; the event handler gets the disconnected event.
     */
    void dispose(ClientConnection connection, String reason, short code, boolean tellClient) {
        if (connection.disposed) {
            return;
        }
        connection.disposed = true;
        if (connection.recoveryTimer >= 0) {
            emulator.vertx().cancelTimer(connection.recoveryTimer);
            connection.recoveryTimer = -1;
        }
        connection.hub.remove(connection);
        ServerWebSocket ws = connection.socket();
        if (ws != null) {
            if (tellClient) {
                connection.sendControl(Frames.disconnected(reason));
            }
            connection.detach();
            ws.close(code, truncate(reason));
        }
        if (upstream.configured()) {
            upstream.disconnected(connection, reason);
        }
    }

    private static String truncate(String reason) {
        if (reason == null) {
            return null;
        }
        byte[] bytes = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= MAX_CLOSE_REASON) {
            return reason;
        }
        String cut = reason.substring(0, Math.min(reason.length(), MAX_CLOSE_REASON));
        while (cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_CLOSE_REASON) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut;
    }

    // ---- helpers

    private static String hubOf(String path, Map<String, List<String>> params) {
        if (path.startsWith("/client/hubs/")) {
            String rest = path.substring("/client/hubs/".length());
            return rest.isEmpty() || rest.contains("/") ? null : Names.decodeSegment(rest);
        }
        if (path.equals("/client") || path.equals("/client/")) {
            return first(params, "hub");
        }
        return null;
    }

    private static String token(ServerWebSocket ws, Map<String, List<String>> params) {
        String token = first(params, "access_token");
        if (token == null) {
            String authorization = ws.headers().get("Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                token = authorization.substring(7).trim();
            }
        }
        return token;
    }

    /** A query parameter's first value; names are matched case-insensitively, as the service does. */
    private static String first(Map<String, List<String>> params, String name) {
        for (Map.Entry<String, List<String>> entry : params.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return entry.getValue().get(0);
            }
        }
        return null;
    }

    private static List<String> strings(Object claim) {
        List<String> values = new ArrayList<>();
        if (claim instanceof String s) {
            values.add(s);
        } else if (claim instanceof Collection<?> c) {
            for (Object item : c) {
                values.add(String.valueOf(item));
            }
        }
        return values;
    }

    private static ObjectNode connectBody(Map<String, Object> claims, Map<String, List<String>> params,
            ServerWebSocket ws, ClientProtocol protocol) {
        ObjectNode body = Frames.JSON.createObjectNode();
        ObjectNode claimsNode = body.putObject("claims");
        claims.forEach((name, value) -> {
            ArrayNode values = claimsNode.putArray(name);
            if (value instanceof Collection<?> c) {
                c.forEach(v -> values.add(String.valueOf(v)));
            } else {
                values.add(String.valueOf(value));
            }
        });
        ObjectNode query = body.putObject("query");
        params.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("access_token")) {
                ArrayNode array = query.putArray(name);
                values.forEach(array::add);
            }
        });
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ws.headers().forEach(h -> {
            if (!h.getKey().equalsIgnoreCase("Authorization")) {
                headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue());
            }
        });
        ObjectNode headersNode = body.putObject("headers");
        headers.forEach((name, values) -> {
            ArrayNode array = headersNode.putArray(name);
            values.forEach(array::add);
        });
        ArrayNode subprotocols = body.putArray("subprotocols");
        if (protocol.subprotocol != null) {
            subprotocols.add(protocol.subprotocol);
        }
        body.putArray("clientCertificates");
        return body;
    }

    static String randomId(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
