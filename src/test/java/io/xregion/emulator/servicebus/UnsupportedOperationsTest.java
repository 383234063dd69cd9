package io.xregion.emulator.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.ServiceBusSessionReceiverClient;
import io.xregion.testing.Keys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What the emulator leaves out fails at once through the official Java SDK too, with an error that names it, well
 * within the SDK's try timeout (which a hang would run into).
 */
class UnsupportedOperationsTest {

    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(10);
    private static final long FAST_MS = 3000;

    private ServiceBusEmulator namespace;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        namespace = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("eastus", Keys.random())
                .withQueues("orders"));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        namespace.close();
    }

    private ServiceBusClientBuilder builder() {
        return new ServiceBusClientBuilder().connectionString(namespace.connectionString())
                .retryOptions(ServiceBusEmulatorSdkTest.retry(2, TRY_TIMEOUT));
    }

    private static void assertRefusedAtOnce(Executable call, String naming) {
        long started = System.nanoTime();
        // a ServiceBusException, or for a refused session link the SDK's UnsupportedOperationException
        RuntimeException refused = assertThrows(RuntimeException.class, call);
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertTrue(ms < FAST_MS, "refused after " + ms + " ms: " + refused);
        assertTrue(refused.getMessage().contains("does not support") && refused.getMessage().contains(naming),
                refused.getMessage());
        if (refused instanceof ServiceBusException serviceBus) {
            assertFalse(serviceBus.isTransient(), "not worth retrying: " + refused);
        } else {
            assertInstanceOf(UnsupportedOperationException.class, refused);
        }
    }

    @Test
    void scheduleMessageIsRefused() {
        ServiceBusSenderClient sender = builder().sender().queueName("orders").buildClient();
        clients.add(sender);
        sender.sendMessage(new ServiceBusMessage("warm up"));
        assertRefusedAtOnce(() -> sender.scheduleMessage(new ServiceBusMessage("later"),
                OffsetDateTime.now().plusMinutes(1)), "scheduleMessages");
        assertRefusedAtOnce(() -> sender.cancelScheduledMessage(1), "cancelScheduledMessages");
        assertEquals(1, namespace.depth("orders"), "nothing was scheduled");
    }

    @Test
    void deferIsRefused() {
        builder().sender().queueName("orders").buildClient().sendMessage(new ServiceBusMessage("x").setMessageId("x"));
        ServiceBusReceiverClient receiver = builder().receiver().queueName("orders").disableAutoComplete()
                .maxAutoLockRenewDuration(Duration.ZERO).buildClient();
        clients.add(receiver);
        ServiceBusReceivedMessage message = receiver.receiveMessages(1, Duration.ofSeconds(5)).iterator().next();
        assertRefusedAtOnce(() -> receiver.defer(message), "deferMessage");
        assertEquals(1, namespace.locked("orders"), "the message keeps its lock");
    }

    @Test
    void sessionReceiversAreRefused() {
        ServiceBusSessionReceiverClient sessions = builder().sessionReceiver().queueName("orders").buildClient();
        clients.add(sessions);
        assertRefusedAtOnce(() -> sessions.acceptSession("s-1"), "sessions");
    }
}
