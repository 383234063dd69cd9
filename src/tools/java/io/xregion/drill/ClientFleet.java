package io.xregion.drill;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.NodeSdks;
import io.xregion.testing.WsClient;

/**
 * The drill's clients: src/test/js/drill-clients.mjs, M official JS clients per region in one node process. Every
 * line it prints is kept, in order, with the time it arrived.
 */
final class ClientFleet implements AutoCloseable {

    private final Process node;
    private final Writer commands;
    private final List<JsonNode> lines = new ArrayList<>();

    private ClientFleet(Process node) {
        this.node = node;
        this.commands = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("{")) {
                        JsonNode json = WsClient.JSON.readTree(line);
                        synchronized (lines) {
                            lines.add(json);
                            lines.notifyAll();
                        }
                    }
                }
            } catch (IOException e) {
                // node ended
            }
        }, "drill-clients-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static ClientFleet start(Map<String, String> apps, int clientsPerRegion, String protocol, String client,
            Path log) throws IOException {
        String settings = WsClient.JSON.writeValueAsString(Map.of("apps", apps, "clients", clientsPerRegion,
                "protocol", protocol, "client", client));
        Process node = new ProcessBuilder("node", "drill-clients.mjs", settings)
                .directory(NodeSdks.install().toFile()).redirectError(log.toFile()).start();
        return new ClientFleet(node);
    }

    void command(String line) throws IOException {
        commands.write(line + "\n");
        commands.flush();
    }

    /** Every line so far whose event is this one. */
    List<JsonNode> events(String event) {
        synchronized (lines) {
            return lines.stream().filter(l -> event.equals(l.path("event").asText())).toList();
        }
    }

    /** Waits until the lines so far satisfy the condition; false when the wait ran out. */
    boolean awaitLines(Duration atMost, Predicate<List<JsonNode>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (lines) {
            while (!condition.test(lines)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !node.isAlive()) {
                    return condition.test(lines);
                }
                lines.wait(Math.max(1, Math.min(500, left / 1_000_000)));
            }
            return true;
        }
    }

    /** Asks for the report: one line per client, then when any client first received each message. */
    List<JsonNode> report(Duration atMost) throws IOException, InterruptedException {
        command("report");
        if (!awaitLines(atMost, l -> l.stream().anyMatch(j -> "reported".equals(j.path("event").asText())))) {
            throw new IllegalStateException("the clients did not report within " + atMost);
        }
        return events("client");
    }

    /** After {@link #report}: per publisher, when any client first received each sequence number (0: none). */
    JsonNode firstReceived() {
        return events("delivered").get(0).path("firstReceived");
    }

    /** After {@link #report}: per phase, the end-to-end latencies of every receipt as [ms, count] pairs. */
    JsonNode latency() {
        List<JsonNode> latency = events("latency");
        return latency.isEmpty() ? WsClient.JSON.createObjectNode() : latency.get(0).path("phases");
    }

    @Override
    public void close() {
        try {
            command("stop");
            if (!node.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        } catch (IOException e) {
            node.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.destroyForcibly();
        }
    }
}
