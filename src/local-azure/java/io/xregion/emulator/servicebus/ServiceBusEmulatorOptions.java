package io.xregion.emulator.servicebus;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.xregion.emulator.security.EntraIssuer;
import io.xregion.emulator.security.LocalTls;

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
 * @param entra             the Microsoft Entra ID whose tokens (CBS type {@code jwt}, audience
 *                          {@code https://servicebus.azure.net}) authorise an entity, or null for SAS tokens only
 * @param localAuth         whether SAS tokens are accepted; false as on a namespace with local auth disabled
 * @param tls               AMQP over TLS with this certificate, or null for plain AMQP only; with TLS the port still
 *                          takes plain AMQP too ({@code UseDevelopmentEmulator=true} connection strings)
 */
public record ServiceBusEmulatorOptions(String name, String host, int port, String keyName, String key,
        Duration lockDuration, int maxDeliveryCount, int maxMessageBytes, List<String> queues,
        Map<String, List<String>> topics, EntraIssuer entra, boolean localAuth, LocalTls tls) {

    public ServiceBusEmulatorOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(keyName, "keyName");
        Objects.requireNonNull(key, "key");
        queues = List.copyOf(queues);
        topics = Map.copyOf(topics);
        if (!localAuth && entra == null) {
            throw new IllegalArgumentException("with local auth disabled a namespace needs an Entra issuer");
        }
    }

    /**
     * The lock duration of every entity unless set: 10 s, what xregion asks of real entities (Service Bus's own
     * default is 60 s), so a message whose receiver died comes back within that (README "Lock duration and lock
     * renewal"); a live receiver renews its locks.
     */
    public static final Duration DEFAULT_LOCK_DURATION = Duration.ofSeconds(10);

    /** Defaults that match a Standard namespace (but for the lock): 10 deliveries, 256 KB messages, no entities. */
    public static ServiceBusEmulatorOptions of(String name, String key) {
        return new ServiceBusEmulatorOptions(name, "127.0.0.1", 0, "RootManageSharedAccessKey", key,
                DEFAULT_LOCK_DURATION, 10, 256 * 1024, List.of(), Map.of(), null, true, null);
    }

    public ServiceBusEmulatorOptions withHost(String value) {
        return new ServiceBusEmulatorOptions(name, value, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics, entra, localAuth, tls);
    }

    public ServiceBusEmulatorOptions withPort(int value) {
        return new ServiceBusEmulatorOptions(name, host, value, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics, entra, localAuth, tls);
    }

    public ServiceBusEmulatorOptions withKeyName(String value) {
        return new ServiceBusEmulatorOptions(name, host, port, value, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics, entra, localAuth, tls);
    }

    public ServiceBusEmulatorOptions withLockDuration(Duration value) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, value, maxDeliveryCount,
                maxMessageBytes, queues, topics, entra, localAuth, tls);
    }

    public ServiceBusEmulatorOptions withMaxDeliveryCount(int value) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, value,
                maxMessageBytes, queues, topics, entra, localAuth, tls);
    }

    public ServiceBusEmulatorOptions withQueues(String... names) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, List.of(names), topics, entra, localAuth, tls);
    }

    public ServiceBusEmulatorOptions withTopic(String topic, String... subscriptions) {
        Map<String, List<String>> all = new LinkedHashMap<>(topics);
        all.put(topic, List.of(subscriptions));
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, all, entra, localAuth, tls);
    }

    /** Accept Entra tokens of this issuer too. */
    public ServiceBusEmulatorOptions withEntra(EntraIssuer value) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics, value, localAuth, tls);
    }

    /** Accept SAS tokens or not (local auth disabled). */
    public ServiceBusEmulatorOptions withLocalAuth(boolean value) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics, entra, value, tls);
    }

    public ServiceBusEmulatorOptions withTls(LocalTls value) {
        return new ServiceBusEmulatorOptions(name, host, port, keyName, key, lockDuration, maxDeliveryCount,
                maxMessageBytes, queues, topics, entra, localAuth, value);
    }
}
