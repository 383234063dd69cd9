package io.xregion.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RawConnection;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged local-azure jar ({@code mvn verify} runs this after {@code package}) in a process of its own, shared
 * by two app servers in the production profile, one per region, that read its secrets directory: each hands out its
 * own region's instance, a broadcast through one reaches a client of the other, a publish goes through the shared
 * Service Bus, and a region the control API takes down moves its app server's clients to the other region.
 */
class LocalAzureIT {

    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PROTOCOL = "json.webpubsub.azure.v1";
    private static final Duration SILENCE = Duration.ofMillis(500);

    @TempDir
    Path work;

    private Process localAzure;
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        closeClientsAndAppServers();
        if (localAzure != null) {
            localAzure.destroyForcibly();
        }
    }

    private void closeClientsAndAppServers() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        started.clear();
    }

    /** The jar the build made next to the runner jar (failsafe names the runner jar). */
    private static Path jar() {
        Path jar = Path.of(System.getProperty("xregion.runnerJar", "target/xregion-0.1.0-SNAPSHOT-runner.jar")
                .replace("-runner.jar", "-local-azure.jar"));
        assertTrue(Files.isRegularFile(jar), "run mvn verify (it packages " + jar + " first)");
        return jar;
    }

    /** java -jar the local Azure with the shipped file, free ports, no event handlers, output under work. */
    private Process startJar(File log, String... overrides) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar().toAbsolutePath().toString(),
                Path.of("local-azure.properties").toAbsolutePath().toString(), "webpubsub.eastus.port=0",
                "webpubsub.westus.port=0", "servicebus.eastus.port=0", "servicebus.westus.port=0", "control.port=0",
                "webpubsub.eastus.event-handler-url=", "webpubsub.westus.event-handler-url=",
                "output.directory=" + work.resolve("out")));
        command.addAll(List.of(overrides));
        return new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).redirectOutput(log)
                .start();
    }

    @Test
    void theJarHoldsTheLocalAzureAndNothingOfTheApp() throws IOException {
        try (JarFile jar = new JarFile(jar().toFile())) {
            assertEquals(LocalAzure.class.getName(), jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertTrue(jar.getEntry("io/xregion/emulator/LocalAzure.class") != null, "no main class");
            List<String> app = jar.stream().map(JarEntry::getName)
                    .filter(name -> name.startsWith("io/xregion/") && !name.equals("io/xregion/"))
                    .filter(name -> !name.startsWith("io/xregion/emulator/")).toList();
            assertEquals(List.of(), app, "classes of the app in the local-azure jar");
        }
    }

    @Test
    void aBadSettingStopsTheJarNamingTheSettingWithoutAStackTrace() throws Exception {
        File log = work.resolve("refused.log").toFile();
        Process refused = startJar(log, "webpubsub.eastus.prot=7000");
        assertTrue(refused.waitFor(START.toSeconds(), TimeUnit.SECONDS), "still running with a bad setting");
        String output = Files.readString(log.toPath());
        assertEquals(2, refused.exitValue(), output);
        assertTrue(output.contains("local-azure: webpubsub.eastus.prot: unknown setting; did you mean "
                + "webpubsub.eastus.port?"), output);
        assertFalse(output.contains("\tat ") || output.contains("Exception"), "a stack trace: " + output);
    }

    @Test
    void twoAppServersShareOneLocalAzure() throws Exception {
        File log = work.resolve("local-azure.log").toFile();
        localAzure = startJar(log);
        Path secrets = work.resolve("out/secrets");
        // the secrets directory appears last and whole, once everything listens
        Awaitility.await().atMost(START).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertTrue(localAzure.isAlive(), () -> "the local Azure exited:\n" + read(log.toPath()));
            return Files.isDirectory(secrets);
        });
        String control = read(work.resolve("out/control-url")).strip();
        JsonNode state = HttpCalls.get(control + "/state").json();
        int eastPort = state.at("/webpubsub/eastus/port").asInt();
        int westPort = state.at("/webpubsub/westus/port").asInt();

        RunningApp east = app("eastus", "westus", secrets);
        RunningApp west = app("westus", "eastus", secrets);

        // each app server hands out its own region's instance of the shared local Azure
        JsonNode eastNegotiate = negotiate(east, "alice");
        assertEquals("eastus", eastNegotiate.get("region").asText(), eastNegotiate.toString());
        assertTrue(eastNegotiate.get("url").asText().startsWith("ws://127.0.0.1:" + eastPort + "/"),
                eastNegotiate.toString());
        JsonNode westNegotiate = negotiate(west, "bob");
        assertEquals("westus", westNegotiate.get("region").asText(), westNegotiate.toString());
        assertTrue(westNegotiate.get("url").asText().startsWith("ws://127.0.0.1:" + westPort + "/"),
                westNegotiate.toString());

        WsClient bob = WsClient.connect(westNegotiate.get("url").asText(), PROTOCOL);
        started.add(bob);
        assertEquals("connected", bob.nextJson(WAIT).get("event").asText());

        // a broadcast through the eastus app server reaches a client of the westus one, on the westus instance
        HttpCalls.Answer broadcast = HttpCalls.post(east.url("/broadcast"), "text/plain", "from the east");
        assertEquals(202, broadcast.status(), broadcast.body());
        assertEquals("accepted", broadcast.json().at("/instances/westus/status").asText(), broadcast.body());
        assertEquals("from the east", nextData(bob));

        // a publish through the westus app server goes through the shared Service Bus namespaces; whichever app
        // server receives it (each reads the shared queue) broadcasts it, so bob gets it at least once
        HttpCalls.Answer published = HttpCalls.call("POST", west.url("/publish"), Map.of("Content-Type",
                "text/plain", "Idempotency-Key", "shared-1"), "through service bus".getBytes());
        assertEquals(202, published.status(), published.body());
        assertEquals("through service bus", nextData(bob));

        // the control API takes the eastus region down: the eastus app server moves its clients to westus
        HttpCalls.Answer down = HttpCalls.post(control + "/webpubsub/eastus/down", null, null);
        assertEquals(200, down.status(), down.body());
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode moved = HttpCalls.get(east.url("/negotiate?userId=alice")).json();
            return "westus".equals(moved.path("region").asText())
                    && moved.path("url").asText().startsWith("ws://127.0.0.1:" + westPort + "/");
        });
        assertEquals("DOWN", HttpCalls.get(control + "/state").json().at("/webpubsub/eastus/state").asText());

        // SIGTERM closes every emulator and takes the connection files away
        closeClientsAndAppServers();
        localAzure.destroy();
        assertTrue(localAzure.waitFor(10, TimeUnit.SECONDS), "still running 10 s after SIGTERM");
        assertFalse(Files.exists(secrets), "the secrets of a stopped local Azure are left behind");
        assertTrue(read(log.toPath()).contains("Local Azure stopped"), read(log.toPath()));
    }

    @Test
    void thePackagedLocalAzurePartitionsARegionAndHealsIt() throws Exception {
        File log = work.resolve("partition.log").toFile();
        localAzure = startJar(log);
        Awaitility.await().atMost(START).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertTrue(localAzure.isAlive(), () -> "the local Azure exited:\n" + read(log.toPath()));
            return Files.isDirectory(work.resolve("out/secrets"));
        });
        String control = read(work.resolve("out/control-url")).strip();
        JsonNode state = HttpCalls.get(control + "/state").json();
        int webPubSubPort = state.at("/webpubsub/eastus/port").asInt();
        int serviceBusPort = state.at("/servicebus/eastus/port").asInt();
        String health = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        byte[] amqpHeader = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};

        assertEquals("PARTITIONED", HttpCalls.post(control + "/webpubsub/eastus/partition", null, null).json()
                .at("/eastus/state").asText());
        assertEquals("PARTITIONED", HttpCalls.post(control + "/servicebus/eastus/partition", null, null).json()
                .at("/eastus/state").asText());
        try (RawConnection webPubSub = RawConnection.open("127.0.0.1", webPubSubPort);
                RawConnection serviceBus = RawConnection.open("127.0.0.1", serviceBusPort)) {
            // on loopback an answer would be back within a millisecond: half a second of silence is none
            assertEquals(RawConnection.Outcome.SILENT, webPubSub.write(health).read(64, SILENCE).outcome());
            assertEquals(RawConnection.Outcome.SILENT, serviceBus.write(amqpHeader).read(8, SILENCE).outcome());

            assertEquals("UP", HttpCalls.post(control + "/webpubsub/eastus/up", null, null).json()
                    .at("/eastus/state").asText());
            assertEquals("UP", HttpCalls.post(control + "/servicebus/eastus/up", null, null).json()
                    .at("/eastus/state").asText());
            assertEquals(RawConnection.Outcome.RESET, webPubSub.read(64, WAIT).outcome());
            assertEquals(RawConnection.Outcome.RESET, serviceBus.read(8, WAIT).outcome());
        }
        assertEquals(200, HttpCalls.get("http://127.0.0.1:" + webPubSubPort + "/api/health").status());
    }

    /** An app server of one region in the production profile, reading the local Azure's secrets directory. */
    private RunningApp app(String region, String otherRegion, Path secrets) {
        Map<String, String> settings = new LinkedHashMap<>(RunningApp.fastHealth(300, 300));
        settings.put(RunningApp.PROFILE, "prod");
        settings.put("xregion.webpubsub.negotiate.allow-anonymous", "true");
        settings.put("xregion.secrets.directory", secrets.toString());
        settings.put("xregion.webpubsub.primary", region);
        settings.put("xregion.servicebus.primary", region);
        settings.put("xregion.servicebus.secondary", otherRegion);
        settings.put("xregion.servicebus.outbox.directory", work.resolve("outbox-" + region).toString());
        RunningApp app = RunningApp.start(settings);
        started.add(app);
        return app;
    }

    private static JsonNode negotiate(RunningApp app, String user) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> HttpCalls.get(app.url("/negotiate?userId=" + user)).status() == 200);
        return HttpCalls.get(app.url("/negotiate?userId=" + user)).json();
    }

    /** The data of the next message frame (system frames skipped). */
    private static String nextData(WsClient client) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = client.nextJson(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if ("message".equals(frame.path("type").asText())) {
                return frame.path("data").asText();
            }
        }
        throw new AssertionError("no message within " + WAIT);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
