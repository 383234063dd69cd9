package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official JavaScript client SDK (@azure/web-pubsub-client, npm) against the app and its local emulators: it
 * negotiates through the app, follows a failover to the secondary and a failback home, and its events travel
 * through the emulator's event handler to the app and back as a broadcast. Needs node and npm (installed once into
 * target/js-client from src/test/js/package-lock.json).
 */
class OfficialJsClientTest {

    private static final Path CLIENT = Path.of("target", "js-client");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private RunningApp app;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void installTheSdk() throws Exception {
        Files.createDirectories(CLIENT);
        for (String file : List.of("package.json", "package-lock.json", "client.mjs")) {
            Files.copy(Path.of("src", "test", "js", file), CLIENT.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(CLIENT.resolve("node_modules/@azure/web-pubsub-client"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(CLIENT.toFile())
                    .redirectErrorStream(true).redirectOutput(CLIENT.resolve("npm-ci.log").toFile()).start();
            assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm ci took too long");
            assertEquals(0, npm.exitValue(), "npm ci failed; see " + CLIENT.resolve("npm-ci.log"));
        }
    }

    @BeforeEach
    void start() {
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(500, 500));
        properties.put("xregion.webpubsub.failback.pace-ms", "200");
        properties.put("xregion.webpubsub.home-groups.shards", "2");
        app = RunningApp.start(properties);
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        app.close();
    }

    /** A running node client: its JSON lines in a queue, and its stdin for commands. */
    private final class JsClient {
        final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        final List<String> seen = new ArrayList<>();
        final Writer commands;

        JsClient(String userId, String protocol) throws IOException {
            Process node = new ProcessBuilder("node", "client.mjs", app.url(""), userId, protocol)
                    .directory(CLIENT.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            processes.add(node);
            commands = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
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
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the first line (after those already taken) that matches; fails with what was seen. */
        JsonNode await(String what, Predicate<JsonNode> matching) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line.toString());
                    if (matching.test(line)) {
                        return line;
                    }
                }
            }
            throw new AssertionError("the JS client never reported " + what + "; it reported " + seen);
        }

        JsonNode awaitEvent(String event) throws InterruptedException {
            return await(event, l -> event.equals(l.path("event").asText()));
        }

        void command(String line) throws IOException {
            commands.write(line + "\n");
            commands.flush();
        }
    }

    private void dev(String instance, String action) {
        assertEquals(200, HttpCalls.post(app.url("/dev/webpubsub/" + instance + "/" + action), null, null).status());
    }

    @Test
    void theOfficialClientFollowsFailoverAndFailbackThroughNegotiate() throws Exception {
        JsClient client = new JsClient("js-user", "json");
        assertEquals("eastus", client.awaitEvent("connected").get("region").asText());

        assertEquals(202, HttpCalls.post(app.url("/broadcast"), "text/plain", "hello js").status());
        assertEquals("hello js", client.awaitEvent("server-message").get("data").asText());

        // an event from the client goes through the emulator's event handler to the app, which broadcasts it
        client.command("event round trip");
        client.await("the broadcast of its own event",
                l -> "server-message".equals(l.path("event").asText()) && "round trip".equals(l.path("data").asText()));

        dev("eastus", "down");
        client.awaitEvent("disconnected");
        JsonNode onSecondary = client.await("a connection on westus",
                l -> "connected".equals(l.path("event").asText()) && "westus".equals(l.path("region").asText()));
        assertEquals("js-user", onSecondary.get("userId").asText());
        assertEquals(202, HttpCalls.post(app.url("/broadcast"), "text/plain", "from westus").status());
        assertEquals("from westus", client.awaitEvent("server-message").get("data").asText());

        // failback closes our home clients on westus; the client negotiates again and is home
        dev("eastus", "up");
        JsonNode disconnected = client.awaitEvent("disconnected");
        assertTrue(disconnected.path("message").asText().contains("home region"), disconnected.toString());
        client.await("a connection back on eastus",
                l -> "connected".equals(l.path("event").asText()) && "eastus".equals(l.path("region").asText()));
        client.command("stop");
    }

    @Test
    void aReliableClientClosedByFailbackIsRefusedRecoveryAndComesHome() throws Exception {
        dev("eastus", "down");
        Awaitility.await().atMost(WAIT).until(() -> "westus".equals(HttpCalls.get(app.url("/negotiate")).json()
                .path("region").asText()));
        JsClient client = new JsClient("reliable-user", "reliable");
        assertEquals("westus", client.awaitEvent("connected").get("region").asText());

        long up = System.nanoTime();
        dev("eastus", "up");
        client.await("a connection back on eastus",
                l -> "connected".equals(l.path("event").asText()) && "eastus".equals(l.path("region").asText()));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - up);
        assertTrue(seconds < 10, "a refused recovery must send the client home at once, not after the 30 s window");
        client.command("stop");
    }
}
