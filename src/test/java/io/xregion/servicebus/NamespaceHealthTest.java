package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.testing.Keys;

/** Reachability: the AMQP probe, and the thresholds that keep one lost probe from changing anything. */
class NamespaceHealthTest {

    private static ServiceBusNamespace at(int port) {
        return ServiceBusNamespace.of("eastus", "Endpoint=sb://127.0.0.1:" + port
                + "/;SharedAccessKeyName=x;SharedAccessKey=y;UseDevelopmentEmulator=true;", Duration.ofSeconds(1), 0);
    }

    @Test
    void theProbeAcceptsANamespaceThatAnswersAmqp() {
        try (ServiceBusEmulator emulator = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("eastus",
                Keys.random()).withQueues("q"))) {
            assertNull(AmqpProbe.probe(ServiceBusNamespace.of("eastus", emulator.connectionString(),
                    Duration.ofSeconds(1), 0), 1000));
        }
    }

    @Test
    void theProbeRefusesAnAcceptedConnectionThatNeverAnswers() throws IOException {
        // what a partitioned region may look like from here: the connection is accepted, nothing ever answers (a
        // probe that only opened a TCP connection would call this namespace reachable)
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String error = AmqpProbe.probe(at(silent.getLocalPort()), 300);
            assertNotNull(error);
            assertTrue(error.contains("no AMQP answer within 300 ms"), error);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void theProbeRefusesAPortNobodyListensOn() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String error = AmqpProbe.probe(at(port), 300);
        assertNotNull(error);
        assertTrue(error.contains("ConnectException"), error);
    }

    @Test
    void oneLostProbeChangesNothingAndTheThresholdsDecide() {
        LinkedList<String> results = new LinkedList<>();
        NamespaceHealth health = new NamespaceHealth(List.of(at(1)), 100, 2, 2, (n, timeout) -> results.poll(),
                Clock.systemUTC());
        results.add("lost");
        assertNull(health.probe("eastus"));
        assertTrue(health.reachable("eastus"), "one miss is not an outage");
        assertTrue(health.unsettled("eastus"), "but it is confirmed at once");
        results.add(null_());
        assertNull(health.probe("eastus"));
        assertFalse(health.unsettled("eastus"));

        results.add("lost");
        results.add("lost again");
        health.probe("eastus");
        NamespaceHealth.Change down = health.probe("eastus");
        assertNotNull(down);
        assertFalse(down.reachable());
        assertEquals("lost again", down.reason());
        assertFalse(health.reachable("eastus"));

        results.add(null_());
        assertNull(health.probe("eastus"), "one answer does not bring it back");
        assertTrue(health.unsettled("eastus"));
        results.add(null_());
        assertTrue(health.probe("eastus").reachable());
    }

    @Test
    void aSendsOwnOutcomeCountsAtOnce() {
        NamespaceHealth health = new NamespaceHealth(List.of(at(1)), 100, 3, 3, (n, timeout) -> null,
                Clock.systemUTC());
        assertFalse(health.sendFailed("eastus", "gone").reachable());
        assertTrue(health.sendSucceeded("eastus").reachable());
    }

    /** A probe that answered (a null result, spelled out for the queue). */
    private static String null_() {
        return null;
    }
}
