package io.xregion.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A test script of src/test/js running under node: the JSON lines it prints, in order, and its standard input for
 * commands. Its standard error goes to the test's output.
 */
public final class NodeScript implements AutoCloseable {

    private final Process node;
    private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Writer commands;
    private final Duration wait;

    private NodeScript(Process node, Duration wait) {
        this.node = node;
        this.wait = wait;
        this.commands = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("{")) {
                        lines.add(WsClient.JSON.readTree(line));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "node-script-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code node <script> <args...>} in the installed SDKs' directory ({@link NodeSdks#install()}). */
    public static NodeScript start(Duration wait, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        try {
            Process node = new ProcessBuilder(command).directory(NodeSdks.install().toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new NodeScript(node, wait);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first line (after those already taken) that matches, within the wait; fails with what was seen. */
    public JsonNode await(String what, Predicate<JsonNode> matching) throws InterruptedException {
        return await(what, matching, System.nanoTime() + wait.toNanos());
    }

    /** The first line (after those already taken) that matches before the deadline (a {@link System#nanoTime()}). */
    public JsonNode await(String what, Predicate<JsonNode> matching, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            JsonNode line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line.toString());
                if (matching.test(line)) {
                    return line;
                }
            }
        }
        throw new AssertionError("the node script never reported " + what + "; it reported " + seen);
    }

    /** The first line whose {@code event} field is this one. */
    public JsonNode awaitEvent(String event) throws InterruptedException {
        return await(event, l -> event.equals(l.path("event").asText()));
    }

    public void command(String line) throws IOException {
        commands.write(line + "\n");
        commands.flush();
    }

    @Override
    public void close() {
        node.destroyForcibly();
    }
}
