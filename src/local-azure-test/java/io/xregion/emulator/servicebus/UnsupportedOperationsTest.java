package io.xregion.emulator.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.ServiceBusSessionReceiverClient;
import io.xregion.testing.Closer;
import io.xregion.testing.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * What the emulator leaves out is refused through the official Java SDK too, with an error that names it and that is
 * not worth retrying, rather than left hanging until the SDK's tries time out.
 */
class UnsupportedOperationsTest {

    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(10);
    /** Generous for a refusal on a loaded machine; a call left hanging runs into the SDK's three tries (3 x 10 s). */
    private static final Duration DEADLINE = TRY_TIMEOUT.multipliedBy(2);

    @RegisterExtension
    final Closer closer = new Closer();
    private final ServiceBusEmulator namespace = closer.add(ServiceBusEmulator.start(
            ServiceBusEmulatorOptions.of("eastus", Keys.random()).withQueues("orders")));

    private ServiceBusClientBuilder builder() {
        return new ServiceBusClientBuilder().connectionString(namespace.connectionString())
                .retryOptions(ServiceBusEmulatorSdkTest.retry(2, TRY_TIMEOUT));
    }

    private static void assertRefused(Executable call, String naming) {
        // a ServiceBusException, or for a refused session link the SDK's UnsupportedOperationException
        RuntimeException refused = assertTimeoutPreemptively(DEADLINE,
                () -> assertThrows(RuntimeException.class, call), "the call was left hanging");
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
        closer.add(sender);
        sender.sendMessage(new ServiceBusMessage("warm up"));
        assertRefused(() -> sender.scheduleMessage(new ServiceBusMessage("later"),
                OffsetDateTime.now().plusMinutes(1)), "scheduleMessages");
        assertRefused(() -> sender.cancelScheduledMessage(1), "cancelScheduledMessages");
        assertEquals(1, namespace.depth("orders"), "nothing was scheduled");
    }

    @Test
    void deferIsRefused() {
        builder().sender().queueName("orders").buildClient().sendMessage(new ServiceBusMessage("x").setMessageId("x"));
        ServiceBusReceiverClient receiver = builder().receiver().queueName("orders").disableAutoComplete()
                .maxAutoLockRenewDuration(Duration.ZERO).buildClient();
        closer.add(receiver);
        ServiceBusReceivedMessage message = receiver.receiveMessages(1, Duration.ofSeconds(5)).iterator().next();
        assertRefused(() -> receiver.defer(message), "deferMessage");
        assertEquals(1, namespace.locked("orders"), "the message keeps its lock");
    }

    @Test
    void sessionReceiversAreRefused() {
        ServiceBusSessionReceiverClient sessions = builder().sessionReceiver().queueName("orders").buildClient();
        closer.add(sessions);
        assertRefused(() -> sessions.acceptSession("s-1"), "sessions");
    }
}
