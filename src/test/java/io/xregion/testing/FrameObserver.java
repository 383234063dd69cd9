package io.xregion.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An observer of a client's frames: a Web PubSub client ({@code json.webpubsub.azure.v1}) whose frames a thread of
 * its own hands on as they come, so the test can publish meanwhile. {@link #counting} counts the messages by one field
 * of their data (the {@code n} of {@code {"n":42}}), for "every message arrived, each once".
 */
public final class FrameObserver implements AutoCloseable {

    /** The subprotocol the app's clients speak by default. */
    public static final String JSON = "json.webpubsub.azure.v1";

    private static final Duration CONNECTED = Duration.ofSeconds(5);

    private final WsClient client;
    private final String field;
    private final Consumer<WsClient.Frame> each;
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final Thread reader;

    private FrameObserver(WsClient client, String field, Consumer<WsClient.Frame> each) {
        this.client = client;
        this.field = field;
        this.each = each;
        this.reader = new Thread(this::read, "frame-observer");
        reader.setDaemon(true);
        reader.start();
    }

    /** Hands every frame of that (already connected) client to {@code each}, until closed. */
    public static FrameObserver watching(WsClient client, Consumer<WsClient.Frame> each) {
        return new FrameObserver(client, null, each);
    }

    /** Connects to that client URL, waits for the connected frame, then counts the messages by {@code field}. */
    public static FrameObserver counting(String clientUrl, String field) {
        WsClient client = WsClient.connect(clientUrl, JSON);
        try {
            client.nextJson(CONNECTED);
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
        return new FrameObserver(client, field, frame -> { });
    }

    /**
     * A client of that app for {@code userId}, counting by {@code field}. Negotiate answers 503 until the app's first
     * probe has found an instance healthy: it is asked again until it answers 200, within {@code deadline}.
     */
    public static FrameObserver counting(RunningApp app, String userId, String field, Duration deadline) {
        String negotiate = app.url("/negotiate?userId=" + userId);
        Awaitility.await("negotiate answers for " + userId).atMost(deadline)
                .until(() -> HttpCalls.get(negotiate).status() == 200);
        return counting(HttpCalls.get(negotiate).json().get("url").asText(), field);
    }

    private void read() {
        try {
            // on until close(): frames that came before the server closed the connection are still handed on
            while (!Thread.currentThread().isInterrupted()) {
                WsClient.Frame frame = client.poll(Duration.ofMillis(100));
                if (frame != null) {
                    count(frame);
                    each.accept(frame);
                }
            }
        } catch (AssertionError interrupted) {
            // closed while waiting for a frame (WsClient.poll turns the interrupt into an AssertionError)
        }
    }

    private void count(WsClient.Frame frame) {
        if (field == null || frame.text() == null) {
            return;
        }
        JsonNode data = frame.json().path("data");
        if (data.has(field)) {
            seen.computeIfAbsent(data.get(field).asText(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Whether the message with that value has arrived. */
    public boolean saw(Object key) {
        return seen.containsKey(String.valueOf(key));
    }

    /** How many times the message with that value has arrived (0 if never). */
    public int times(Object key) {
        AtomicInteger count = seen.get(String.valueOf(key));
        return count == null ? 0 : count.get();
    }

    /** How many different messages have arrived. */
    public int distinct() {
        return seen.size();
    }

    /** The messages that arrived more than once, sorted as text. */
    public List<String> duplicated() {
        return seen.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey)
                .sorted().toList();
    }

    public WsClient client() {
        return client;
    }

    @Override
    public void close() {
        reader.interrupt();
        client.close();
    }
}
