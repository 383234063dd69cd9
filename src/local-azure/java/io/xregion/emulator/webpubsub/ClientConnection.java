package io.xregion.emulator.webpubsub;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * A logical client connection. For the reliable protocol it outlives its WebSocket: while the socket is gone the
 * connection keeps its groups and unacknowledged messages until it is recovered or the recovery window ends.
 *
 * <p>Only the emulator's event loop touches it.
 */
final class ClientConnection {

    /** One sent message the client has not acknowledged yet. */
    private record Unacked(long sequenceId, String frame) {
    }

    final String id;
    final String userId;
    final Hub hub;
    final ClientProtocol protocol;
    final String reconnectionToken;
    final Set<String> roles;
    /**
     * Permissions granted (true) or revoked (false) through REST, by role name for one group
     * ({@code webpubsub.sendToGroup.<group>}); they win over the token's roles, wildcards included.
     */
    final Map<String, Boolean> permissionOverrides = new HashMap<>();
    final Set<String> groups = new LinkedHashSet<>();
    final String subprotocol;
    String connectionState;

    private ServerWebSocket socket;
    private long nextSequenceId = 1;
    private final ArrayDeque<Unacked> unacked = new ArrayDeque<>();
    private final Set<Long> ackIds = new HashSet<>();
    private final int bufferLimit;
    long recoveryTimer = -1;
    boolean disposed;

    ClientConnection(String id, String userId, Hub hub, ClientProtocol protocol, String reconnectionToken,
            Collection<String> roles, int bufferLimit) {
        this.id = id;
        this.userId = userId;
        this.hub = hub;
        this.protocol = protocol;
        this.reconnectionToken = reconnectionToken;
        this.roles = Set.copyOf(roles);
        this.subprotocol = protocol.subprotocol;
        this.bufferLimit = bufferLimit;
    }

    /** Whether the connection may do this ({@link Roles#JOIN_LEAVE} or {@link Roles#SEND}) for this group now. */
    boolean allows(String permission, String group) {
        Boolean override = permissionOverrides.get(permission + "." + group);
        return override != null ? override : Roles.allows(roles, permission, group);
    }

    ServerWebSocket socket() {
        return socket;
    }

    void attach(ServerWebSocket webSocket) {
        this.socket = webSocket;
        for (Unacked message : unacked) {
            webSocket.writeTextMessage(message.frame());
        }
    }

    void detach() {
        this.socket = null;
    }

    boolean connected() {
        return socket != null;
    }

    /**
     * Sends a message; reliable connections number it and keep it until acknowledged.
     *
     * @return false when a reliable connection's buffer overflowed and the connection must be aborted
     */
    boolean deliver(Payload payload, String group, String fromUserId) {
        if (protocol == ClientProtocol.RAW) {
            if (socket != null) {
                if (payload.type() == Payload.DataType.BINARY) {
                    socket.writeBinaryMessage(Buffer.buffer(payload.data()));
                } else {
                    socket.writeTextMessage(payload.text());
                }
            }
            return true;
        }
        var frame = Frames.message(payload, group, fromUserId);
        if (protocol.reliable) {
            long sequenceId = nextSequenceId++;
            frame.put("sequenceId", sequenceId);
            String text = Frames.write(frame);
            unacked.addLast(new Unacked(sequenceId, text));
            if (unacked.size() > bufferLimit) {
                return false;
            }
            if (socket != null) {
                socket.writeTextMessage(text);
            }
            return true;
        }
        if (socket != null) {
            socket.writeTextMessage(Frames.write(frame));
        }
        return true;
    }

    /** Sends a frame that is not numbered (system messages, acks, pongs). */
    void sendControl(com.fasterxml.jackson.databind.JsonNode frame) {
        if (socket != null && protocol != ClientProtocol.RAW) {
            socket.writeTextMessage(Frames.write(frame));
        }
    }

    /** The client has every message up to and including this sequence id. */
    void acknowledge(long sequenceId) {
        while (!unacked.isEmpty() && unacked.peekFirst().sequenceId() <= sequenceId) {
            unacked.removeFirst();
        }
    }

    int unackedCount() {
        return unacked.size();
    }

    /** @return false when the ackId was used before on this connection */
    boolean firstUseOf(long ackId) {
        return ackIds.add(ackId);
    }
}
