package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness follows the namespaces' reachability, or, when asked to, whether the outbox still takes messages. */
class ServiceBusReadinessTest {

    @TempDir
    Path directory;

    private static NamespaceHealth bothUnreachable() {
        NamespaceHealth health = new NamespaceHealth(List.of(
                ServiceBusNamespace.of("eastus", "Endpoint=sb://127.0.0.1:1/", Duration.ofSeconds(1), 0),
                ServiceBusNamespace.of("westus", "Endpoint=sb://127.0.0.1:2/", Duration.ofSeconds(1), 0)),
                100, 2, 2, Clock.systemUTC());
        health.sendFailed("eastus", "gone");
        health.sendFailed("westus", "gone");
        return health;
    }

    private static HealthCheck.State state(ServiceBusReadiness readiness) {
        readiness.setCamelContext(new DefaultCamelContext());
        return readiness.call(Map.of()).getState();
    }

    @Test
    void notReadyWithoutANamespaceUnlessTheOutboxMayTakeTheMessages() {
        try (FileOutbox store = new FileOutbox(directory, false)) {
            Outbox outbox = new Outbox(store, directory.resolve("refused"), 1, Duration.ofSeconds(1),
                    Duration.ofSeconds(1), 10, 1000, Clock.systemUTC());
            NamespaceHealth health = bothUnreachable();
            assertEquals(HealthCheck.State.DOWN, state(new ServiceBusReadiness(health, outbox, false)));
            assertEquals(HealthCheck.State.UP, state(new ServiceBusReadiness(health, outbox, true)));

            store.append(1, "m", "text/plain", new byte[1]);
            assertEquals(HealthCheck.State.DOWN, state(new ServiceBusReadiness(health, outbox, true)),
                    "a full outbox takes nothing more");
            assertEquals(HealthCheck.State.DOWN, state(new ServiceBusReadiness(health, Outbox.disabled(), true)),
                    "no outbox, nothing to queue in");

            health.sendSucceeded("westus");
            assertEquals(HealthCheck.State.UP, state(new ServiceBusReadiness(health, outbox, false)));
        }
    }
}
