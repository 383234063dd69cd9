package io.xregion.emulator.servicebus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xregion.testing.NodeScript;
import io.xregion.testing.WsClient;

/**
 * One process of the official JavaScript SDK (@azure/service-bus, src/test/js/servicebus.mjs) connected to a
 * namespace: each call sends a command and waits for its answer within the deadline. Answers and the reports of
 * subscribe() handlers interleave, so whatever arrives while waiting for something else is kept for later.
 */
public final class JsServiceBusClient implements AutoCloseable {

    private final NodeScript script;
    private final AtomicInteger ids = new AtomicInteger();
    private final Deque<JsonNode> kept = new ArrayDeque<>();

    private JsServiceBusClient(NodeScript script) {
        this.script = script;
    }

    public static JsServiceBusClient connect(ServiceBusEmulator namespace, Duration wait) throws InterruptedException {
        JsServiceBusClient client = new JsServiceBusClient(NodeScript.start(wait, "servicebus.mjs",
                namespace.connectionString()));
        client.script.awaitEvent("ready");
        return client;
    }

    /** The answer to a command, successful or not: {@code {id, ok, ms, ...}}. */
    public JsonNode call(String op, Object... keysAndValues) throws InterruptedException {
        ObjectNode command = WsClient.JSON.createObjectNode();
        int id = ids.incrementAndGet();
        command.put("id", id).put("op", op);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            command.set((String) keysAndValues[i], WsClient.JSON.valueToTree(keysAndValues[i + 1]));
        }
        try {
            script.command(command.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return take(op + " #" + id, line -> line.path("id").asInt() == id);
    }

    private JsonNode take(String what, Predicate<JsonNode> wanted) throws InterruptedException {
        for (Iterator<JsonNode> it = kept.iterator(); it.hasNext();) {
            JsonNode line = it.next();
            if (wanted.test(line)) {
                it.remove();
                return line;
            }
        }
        return script.await(what, line -> {
            if (wanted.test(line)) {
                return true;
            }
            kept.add(line);
            return false;
        });
    }

    /** A command that must succeed. */
    public JsonNode ok(String op, Object... keysAndValues) throws InterruptedException {
        JsonNode answer = call(op, keysAndValues);
        assertTrue(answer.path("ok").asBoolean(), () -> op + " failed: " + answer);
        return answer;
    }

    /** A command that must fail; its error ({@code {name, code, message}}) with the time it took. */
    public JsonNode fails(String op, Object... keysAndValues) throws InterruptedException {
        JsonNode answer = call(op, keysAndValues);
        assertFalse(answer.path("ok").asBoolean(), () -> op + " should have failed: " + answer);
        return answer;
    }

    /** The next report of a subscribe() handler, {@code {event: "message", receiver, messageId, ...}}. */
    JsonNode nextMessage() throws InterruptedException {
        return take("a handled message", line -> "message".equals(line.path("event").asText()));
    }

    /** Messages with these ids and string bodies, for send and batch. */
    static List<Map<String, Object>> messages(String... ids) {
        List<Map<String, Object>> messages = new ArrayList<>();
        for (String id : ids) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("messageId", id);
            message.put("body", "body of " + id);
            messages.add(message);
        }
        return messages;
    }

    static List<String> ids(JsonNode messages) {
        List<String> ids = new ArrayList<>();
        messages.forEach(m -> ids.add(m.path("messageId").asText()));
        return ids;
    }

    @Override
    public void close() {
        script.close();
    }
}
