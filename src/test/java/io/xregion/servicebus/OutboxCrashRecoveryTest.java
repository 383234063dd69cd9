package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.xregion.XRegionApp;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.testing.AuditSubscription;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import io.xregion.testing.TestSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox survives {@code kill -9}: the app, in its own JVM and the production profile, queues messages while
 * both namespaces are down, is killed without warning, and once started again with the namespaces back delivers
 * every message it had answered "queued" for, in order, with the same MessageIds.
 */
@Tag("slow")
class OutboxCrashRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path outboxDirectory;

    private final ExternalServices services = new ExternalServices();
    private final List<Process> apps = new ArrayList<>();
    private int port;

    @AfterEach
    void stop() {
        apps.forEach(Process::destroyForcibly);
        services.close();
    }

    /** Starts the app as its own process, settings given as system properties (which override the file). */
    private Process startApp() throws Exception {
        port = RunningApp.freePort();
        Map<String, String> settings = TestSettings.production(services).quickOutbox(outboxDirectory)
                .with("camel.server.port", Integer.toString(port))
                .with("camel.management.port", Integer.toString(RunningApp.freePort()))
                .with("xregion.servicebus.health.interval-ms", "300").build();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(XRegionApp.class.getName());
        Process app = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(new File("target/outbox-crash-app-" + apps.size() + ".log")).start();
        apps.add(app);
        Awaitility.await().atMost(WAIT).ignoreExceptions()
                .until(() -> HttpCalls.get("http://127.0.0.1:" + port + "/negotiate").status() == 200);
        return app;
    }

    private static List<String> audit(ServiceBusEmulator namespace, int count) {
        return AuditSubscription.messageIds(namespace, count, WAIT);
    }

    @Test
    void queuedMessagesSurviveKillMinus9AndArriveInOrder() throws Exception {
        Process first = startApp();
        services.eastServiceBus.down();
        services.westServiceBus.down();
        List<String> queued = new ArrayList<>();
        for (int n = 0; n < 30; n++) {
            HttpCalls.Answer answer = HttpCalls.post("http://127.0.0.1:" + port + "/publish", "application/json",
                    "{\"n\":" + n + "}");
            assertEquals(202, answer.status(), answer.body());
            assertEquals("queued", answer.json().get("status").asText(), answer.body());
            queued.add(answer.json().get("messageId").asText());
        }

        first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, nothing
        first.waitFor(10, TimeUnit.SECONDS);
        assertFalse(first.isAlive());

        services.eastServiceBus.up();
        services.westServiceBus.up();
        startApp();
        assertEquals(queued, audit(services.eastServiceBus, 30), "every queued message, in order, same MessageIds");
        assertEquals(queued, audit(services.westServiceBus, 30), "active replication: the other namespace too");
    }
}
