package io.xregion.emulator.servicebus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A namespace's queues and topics. Paths are case-insensitive, as in Service Bus: {@code orders},
 * {@code orders/$deadletterqueue}, {@code events/subscriptions/app}, {@code events/subscriptions/app/$deadletterqueue}.
 */
final class Entities {

    private final Map<String, MessageEntity> queues = new LinkedHashMap<>();
    private final Map<String, List<MessageEntity>> topics = new LinkedHashMap<>();
    private final Map<String, MessageEntity> readable = new LinkedHashMap<>();

    Entities(List<String> queueNames, Map<String, List<String>> topicSubscriptions) {
        for (String name : queueNames) {
            MessageEntity queue = new MessageEntity(normalize(name), true);
            queues.put(queue.path, queue);
            register(queue);
        }
        topicSubscriptions.forEach((topic, subscriptions) -> {
            List<MessageEntity> subs = subscriptions.stream()
                    .map(s -> new MessageEntity(normalize(topic) + "/subscriptions/" + normalize(s), true)).toList();
            topics.put(normalize(topic), subs);
            subs.forEach(this::register);
        });
    }

    private void register(MessageEntity entity) {
        readable.put(entity.path, entity);
        readable.put(entity.deadLetters.path, entity.deadLetters);
    }

    static String normalize(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.toLowerCase(Locale.ROOT);
    }

    /** Whether senders may attach to this path: a queue or a topic. */
    boolean sendable(String path) {
        String p = normalize(path);
        return queues.containsKey(p) || topics.containsKey(p);
    }

    /** The entities a message sent to this path lands in: the queue, or every subscription of the topic. */
    List<MessageEntity> destinations(String path) {
        String p = normalize(path);
        MessageEntity queue = queues.get(p);
        return queue != null ? List.of(queue) : topics.getOrDefault(p, List.of());
    }

    /** The entity receivers read from at this path, or null. */
    MessageEntity readable(String path) {
        return readable.get(normalize(path));
    }

    Iterable<MessageEntity> allReadable() {
        return readable.values();
    }

    /** Every queue and subscription (not their dead-letter sub-queues), for state pages. */
    List<MessageEntity> primaries() {
        return readable.values().stream().filter(e -> e.deadLetters != null).toList();
    }
}
