package io.xregion.testing;

import java.time.Duration;
import java.util.ArrayList;
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

    /** The MessageIds of up to {@code count} messages, in arrival order, waiting at most {@code wait} for them. */
    public static List<String> messageIds(ServiceBusEmulator namespace, int count, Duration wait) {
        try (ServiceBusReceiverClient receiver = new ServiceBusClientBuilder()
                .connectionString(namespace.connectionString()).receiver().topicName("events")
                .subscriptionName("audit").receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient()) {
            List<String> ids = new ArrayList<>();
            long deadline = System.nanoTime() + wait.toNanos();
            while (ids.size() < count && System.nanoTime() < deadline) {
                for (ServiceBusReceivedMessage message : receiver.receiveMessages(count - ids.size(),
                        Duration.ofSeconds(2))) {
                    ids.add(message.getMessageId());
                }
            }
            return ids;
        }
    }
}
