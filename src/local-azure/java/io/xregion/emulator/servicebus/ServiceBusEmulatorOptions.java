package io.xregion.emulator.servicebus;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one emulated Service Bus namespace is set up.
 *
 * @param name              a label for logs and state, e.g. the region
 * @param host              the loopback address to listen on
 * @param port              the port, 0 for a free one (kept across down/up)
 * @param keyName           the shared access policy name clients must sign with
 * @param key               the shared access key; CBS put-token signatures are checked against it
 * @param lockDuration      how long a PEEK_LOCK delivery stays locked before it returns to the entity
 * @param maxDeliveryCount  deliveries after which a message goes to the dead-letter sub-queue
 * @param maxMessageBytes   the largest message a sender link accepts (Standard tier: 256 KB)
 * @param queues            the queues
 * @param topics            the topics, each with its subscriptions
 */
public record ServiceBusEmulatorOptions(String name, String host, int port, String keyName, String key,
        Duration lockDuration, int maxDeliveryCount, int maxMessageBytes, List<String> queues,
        Map<String, List<String>> topics) {

    public ServiceBusEmulatorOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(keyName, "keyName");
        Objects.requireNonNull(key, "key");
        queues = List.copyOf(queues);
        topics = Map.copyOf(topics);
    }

    /** Defaults that match a Standard namespace: 60 s locks, 10 deliveries, 256 KB messages, no entities. */
    public static ServiceBusEmulatorOptions of(String name, String key) {
        return new ServiceBusEmulatorOptions(name, "127.0.0.1", 0, "RootManageSharedAccessKey", key,
                Duration.ofSeconds(60), 10, 256 * 1024, List.of(), Map.of());
    }

    public ServiceBusEmulatorOptions withHost(String value) {
        return new ServiceBusEmulatorOptions(name, value, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics);
    }

    public ServiceBusEmulatorOptions withPort(int value) {
        return new ServiceBusEmulatorOptions(name, host, value, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics);
    }

    public ServiceBusEmulatorOptions withKeyName(String value) {
        return new ServiceBusEmulatorOptions(name, host, port, value, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics);
    }

    public ServiceBusEmulatorOptions withLockDuration(Duration value) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, value, maxDeliveryCount,
                maxMessageBytes, queues, topics);
    }

    public ServiceBusEmulatorOptions withMaxDeliveryCount(int value) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, value,
                maxMessageBytes, queues, topics);
    }

    public ServiceBusEmulatorOptions withQueues(String... names) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, List.of(names), topics);
    }

    public ServiceBusEmulatorOptions withTopic(String topic, String... subscriptions) {
        Map<String, List<String>> all = new LinkedHashMap<>(topics);
        all.put(topic, List.of(subscriptions));
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, all);
    }
}
