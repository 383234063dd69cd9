package io.xregion.emulator.servicebus;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Something receivers read from: a queue, a topic's subscription, or either's dead-letter sub-queue. Messages wait
 * in order; a PEEK_LOCK delivery holds a lock until it is settled or the lock expires.
 */
final class MessageEntity {

    /** A delivered, locked message. */
    static final class Lock {
        final UUID token;
        final StoredMessage message;
        long lockedUntilMillis;

        Lock(UUID token, StoredMessage message, long lockedUntilMillis) {
            this.token = token;
            this.message = message;
            this.lockedUntilMillis = lockedUntilMillis;
        }
    }

    final String path;
    final MessageEntity deadLetters;
    private final Deque<StoredMessage> available = new ArrayDeque<>();
    private final Map<UUID, Lock> locks = new LinkedHashMap<>();

    MessageEntity(String path, boolean withDeadLetterQueue) {
        this.path = path;
        this.deadLetters = withDeadLetterQueue ? new MessageEntity(path + "/$deadletterqueue", false) : null;
    }

    void add(StoredMessage message) {
        available.addLast(message);
    }

    /** Puts a message back where it was, ahead of the ones that came after it. */
    void returnToFront(StoredMessage message) {
        available.addFirst(message);
    }

    StoredMessage poll() {
        return available.pollFirst();
    }

    Lock lock(StoredMessage message, long untilMillis) {
        Lock lock = new Lock(UUID.randomUUID(), message, untilMillis);
        locks.put(lock.token, lock);
        return lock;
    }

    Lock lockOf(UUID token) {
        return locks.get(token);
    }

    Lock unlock(UUID token) {
        return locks.remove(token);
    }

    /** Removes and returns the locks that ran out before now. */
    List<Lock> expire(long nowMillis) {
        List<Lock> expired = new ArrayList<>();
        for (Iterator<Lock> it = locks.values().iterator(); it.hasNext();) {
            Lock lock = it.next();
            if (lock.lockedUntilMillis < nowMillis) {
                it.remove();
                expired.add(lock);
            }
        }
        return expired;
    }

    /** Messages waiting for a receiver (locked ones are not counted). */
    int depth() {
        return available.size();
    }

    int lockedCount() {
        return locks.size();
    }

    Set<UUID> lockTokens() {
        return Set.copyOf(locks.keySet());
    }

    Map<UUID, Instant> lockedUntil() {
        Map<UUID, Instant> until = new HashMap<>();
        locks.forEach((token, lock) -> until.put(token, Instant.ofEpochMilli(lock.lockedUntilMillis)));
        return until;
    }

    /** What a peek sees: waiting and locked messages from a sequence number on, in sequence order. */
    List<StoredMessage> browse(long fromSequenceNumber, int count) {
        return Stream.concat(available.stream(), locks.values().stream().map(lock -> lock.message))
                .filter(message -> message.sequenceNumber >= fromSequenceNumber)
                .sorted(Comparator.comparingLong(message -> message.sequenceNumber))
                .limit(Math.max(0, count)).toList();
    }
}
