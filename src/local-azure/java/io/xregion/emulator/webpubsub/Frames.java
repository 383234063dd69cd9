package io.xregion.emulator.webpubsub;

import java.io.IOException;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON frames of the json.webpubsub.azure.v1 family that the service sends to clients. */
final class Frames {

    static final ObjectMapper JSON = new ObjectMapper();

    private Frames() {
    }

    static ObjectNode connected(String connectionId, String userId, String reconnectionToken) {
        ObjectNode frame = JSON.createObjectNode().put("type", "system").put("event", "connected");
        if (userId != null) {
            frame.put("userId", userId);
        }
        frame.put("connectionId", connectionId);
        if (reconnectionToken != null) {
            frame.put("reconnectionToken", reconnectionToken);
        }
        return frame;
    }

    static ObjectNode disconnected(String reason) {
        return JSON.createObjectNode().put("type", "system").put("event", "disconnected").put("message", reason);
    }

    /** A message from the server (group == null) or from a group (fromUserId set when a client sent it). */
    static ObjectNode message(Payload payload, String group, String fromUserId) {
        ObjectNode frame = JSON.createObjectNode().put("type", "message");
        if (group == null) {
            frame.put("from", "server");
        } else {
            frame.put("from", "group");
            frame.put("group", group);
            if (fromUserId != null) {
                frame.put("fromUserId", fromUserId);
            }
        }
        frame.put("dataType", payload.type().wireName);
        frame.set("data", data(payload));
        return frame;
    }

    static ObjectNode ack(long ackId, String errorName, String errorMessage) {
        ObjectNode frame = JSON.createObjectNode().put("type", "ack").put("ackId", ackId)
                .put("success", errorName == null);
        if (errorName != null) {
            frame.putObject("error").put("name", errorName).put("message", errorMessage);
        }
        return frame;
    }

    static ObjectNode pong() {
        return JSON.createObjectNode().put("type", "pong");
    }

    private static JsonNode data(Payload payload) {
        switch (payload.type()) {
            case TEXT:
                return JSON.getNodeFactory().textNode(payload.text());
            case JSON:
                try {
                    return JSON.readTree(payload.data());
                } catch (IOException e) {
                    // REST and client input is validated on the way in, so this is a JSON string at worst
                    return JSON.getNodeFactory().textNode(payload.text());
                }
            default:
                return JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(payload.data()));
        }
    }

    static String write(JsonNode frame) {
        try {
            return JSON.writeValueAsString(frame);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }
}
