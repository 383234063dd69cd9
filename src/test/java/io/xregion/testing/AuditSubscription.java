package io.xregion.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.xregion.emulator.servicebus.ServiceBusEmulator;

/** Reads what reached a namespace through the topic {@code events}' subscription {@code audit}, which only tests read. */
public final class AuditSubscription {

    private AuditSubscription() {
    }

    /**
     * The MessageIds of up to {@code count} messages in the order the subscription holds them (by sequence number),
     * waiting at most {@code wait} for them. Peek-lock and complete, not receive-and-delete: a receive call that times
     * out leaves credit behind, and messages delivered against it would be deleted unseen when the receiver closes.
     */
    public static List<String> messageIds(ServiceBusEmulator namespace, int count, Duration wait) {
        return messages(namespace, count, wait).stream().map(ServiceBusReceivedMessage::getMessageId).toList();
    }

    /** The messages themselves (their application properties, say), read as {@link #messageIds} reads them. */
    public static List<ServiceBusReceivedMessage> messages(ServiceBusEmulator namespace, int count, Duration wait) {
        try (ServiceBusReceiverClient receiver = new ServiceBusClientBuilder()
                .connectionString(namespace.connectionString()).receiver().topicName("events")
                .subscriptionName("audit").receiveMode(ServiceBusReceiveMode.PEEK_LOCK).disableAutoComplete()
                .buildClient()) {
            List<ServiceBusReceivedMessage> received = new ArrayList<>();
            long deadline = System.nanoTime() + wait.toNanos();
            while (received.size() < count && System.nanoTime() < deadline) {
                for (ServiceBusReceivedMessage message : receiver.receiveMessages(Math.min(100, count - received.size()),
                        Duration.ofSeconds(2))) {
                    receiver.complete(message);
                    received.add(message);
                }
            }
            return received.stream().sorted(Comparator.comparingLong(ServiceBusReceivedMessage::getSequenceNumber))
                    .toList();
        }
    }
}
