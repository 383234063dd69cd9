package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.FrameObserver;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RedisServer;
import io.xregion.testing.RunningApp;
import io.xregion.testing.StuckProcessing;
import io.xregion.testing.TestSettings;

/**
 * {@code kill -9} of an app server while it holds claims in the redis duplicate store loses nothing: the packaged
 * jar runs as its own JVM process (production profile) with a processing route that never finishes, so it holds the
 * claims of the messages it received (renewing them) until it is killed; the other app server's copies of those
 * messages wait and go back to Service Bus meanwhile, and once the dead one's leases lapse it processes every one,
 * once. The access key comes from XREGION_SERVICEBUS_DEDUP_REDIS_ACCESS_KEY and never appears in the output.
 */
class AppServerCrashIT {

    private static final String ACCESS_KEY = "crash-drill-key-" + Long.toHexString(System.nanoTime());
    private static final String SUBSCRIPTION = "events/subscriptions/xregion";

    @TempDir
    Path work;

    private final ExternalServices services = new ExternalServices();
    private final RedisServer redis = RedisServer.start(ACCESS_KEY);
    private Process doomed;
    private RunningApp survivor;
    private FrameObserver observer;

    @AfterEach
    void stop() {
        if (doomed != null) {
            doomed.destroyForcibly();
        }
        if (observer != null) {
            observer.close();
        }
        if (survivor != null) {
            survivor.close();
        }
        redis.close();
        services.close();
    }

    private static final Map<String, String> DEDUP = Map.of(
            "xregion.servicebus.dedup.redis.claim-lease-ms", "2000",
            "xregion.servicebus.dedup.redis.claim-wait-ms", "4000",
            "xregion.servicebus.dedup.redis.poll-ms", "50",
            "xregion.servicebus.dedup.redis.probe-interval-ms", "200");

    /** The packaged jar in a directory of its own, its processing replaced by a route that never finishes. */
    private Process startDoomed() throws IOException {
        Path jar = Path.of(System.getProperty("xregion.runnerJar", "target/xregion-0.1.0-SNAPSHOT-runner.jar"));
        assertTrue(Files.isRegularFile(jar), "run mvn package first: " + jar);
        Path directory = Files.createDirectories(work.resolve("doomed"));
        Files.copy(Path.of("application.properties"), directory.resolve("application.properties"));
        StuckProcessing.routesIn(directory.resolve("routes"));
        Map<String, String> settings = TestSettings.production(services).with(DEDUP).redisStore(redis, "doomed")
                .with("xregion.servicebus.outbox.directory", directory.resolve("outbox").toString()).build();
        settings.remove(RunningApp.PROFILE);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.port=" + RunningApp.freePort(),
                "-Dcamel.management.port=" + RunningApp.freePort(), "-jar", jar.toAbsolutePath().toString())
                .directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(directory.resolve("output.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("XREGION_") || k.startsWith("CAMEL_"));
        builder.environment().put("CAMEL_MAIN_PROFILE", "prod");
        settings.forEach((key, value) -> builder.environment().put(key.toUpperCase().replace('.', '_')
                .replace('-', '_'), value));
        builder.environment().put("XREGION_SERVICEBUS_DEDUP_REDIS_ACCESS_KEY", ACCESS_KEY);
        return builder.start();
    }

    private long claimsHeldBy(String owner) {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.auth(ACCESS_KEY);
            return jedis.keys("xregion:dedup:*").stream().map(jedis::get)
                    .filter(v -> v != null && v.startsWith("claimed " + owner + "#")).count();
        }
    }

    @Test
    void killingAnAppServerThatHoldsClaimsLosesNoMessage() throws Exception {
        doomed = startDoomed();
        survivor = RunningApp.start(TestSettings.production(services).with(DEDUP).redisStore(redis, "survivor")
                .with("xregion.servicebus.dedup.redis.access-key", ACCESS_KEY)
                .with("xregion.webpubsub.primary", "westus")
                .with("xregion.servicebus.outbox.directory", work.resolve("survivor-outbox").toString()).build());
        // negotiate answers 503 until the survivor's first probe has found an instance healthy
        observer = FrameObserver.counting(survivor, "observer", "n", Duration.ofSeconds(15));
        // the doomed app server reads too once it is up (its receivers hold the claims of what they get)
        Path log = work.resolve("doomed/output.log");
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertTrue(doomed.isAlive(), () -> "the jar exited:\n" + read(log.toFile()));
            return read(log.toFile()).contains("Duplicate store: redis at");
        });

        int count = 40;
        for (int n = 0; n < count; n++) {
            HttpCalls.Answer answer = HttpCalls.post(survivor.url("/publish"), "application/json",
                    "{\"n\":" + n + "}");
            assertEquals(202, answer.status(), answer.body());
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> claimsHeldBy("doomed") >= 2);
        long held = claimsHeldBy("doomed");
        // its claims outlive their 2 s lease while it lives: it renews them
        Awaitility.await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                .until(() -> claimsHeldBy("doomed") >= held);
        assertTrue(doomed.isAlive());
        doomed.destroyForcibly();   // SIGKILL
        doomed.waitFor();

        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> observer.distinct() == count);
        for (ServiceBusEmulator namespace : List.of(services.eastServiceBus, services.westServiceBus)) {
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> namespace.depth(SUBSCRIPTION) == 0 && namespace.locked(SUBSCRIPTION) == 0);
            assertEquals(0, namespace.deadLetterDepth(SUBSCRIPTION));
        }
        assertEquals(List.of(), IntStream.range(0, count).filter(n -> observer.times(n) != 1).boxed().toList(),
                "messages broadcast more than once");
        assertEquals(0, claimsHeldBy("doomed"));
        assertFalse(read(log.toFile()).contains(ACCESS_KEY), "the access key was logged");
        assertTrue(read(log.toFile()).contains("owner doomed#"), read(log.toFile()));
    }

    private static String read(File file) {
        try {
            return Files.readString(file.toPath());
        } catch (IOException e) {
            return "";
        }
    }
}
