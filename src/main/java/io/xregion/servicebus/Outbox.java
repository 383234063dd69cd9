package io.xregion.servicebus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.http.ApiErrors;
import io.xregion.http.ApiException;

/**
 * The durable client-side queue the routes use while no namespace takes messages: publishing appends to it, the
 * drain route takes its messages in order, with their MessageIds, and settles each batch once its send is over,
 * backing off while the namespaces stay away. Switched off, a publish that no namespace takes is answered 503 and
 * nothing is kept.
 */
public final class Outbox {

    /** The exchange variable with the batch being drained. */
    private static final String BATCH = "outboxBatch";

    /** The messages one drain step sends: up to the outbox sequence number of the last, and how many. */
    private record Batch(long lastSequence, int size) {
    }

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.outbox");

    private final FileOutbox store;
    private final Path refusedDirectory;
    private final int maxMessages;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int batchMessages;
    private final int batchBytes;
    private final Clock clock;
    private final ServiceBusCounters counters;
    private Duration backoff;
    private long nextAttemptMillis;
    private int oneAtATime;

    /** A disabled outbox. */
    public static Outbox disabled() {
        return new Outbox(null, null, 0, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1, Clock.systemUTC());
    }

    /**
     * @param batchMessages the most messages the drain sends in one call
     * @param batchBytes    the most body bytes the drain sends in one call (the namespace's batch limit)
     */
    public Outbox(FileOutbox store, Path refusedDirectory, int maxMessages, Duration initialBackoff,
            Duration maxBackoff, int batchMessages, int batchBytes, Clock clock) {
        this(store, refusedDirectory, maxMessages, initialBackoff, maxBackoff, batchMessages, batchBytes, clock,
                ServiceBusCounters.none());
    }

    /** @param counters where the drain counts delivered and refused messages */
    public Outbox(FileOutbox store, Path refusedDirectory, int maxMessages, Duration initialBackoff,
            Duration maxBackoff, int batchMessages, int batchBytes, Clock clock, ServiceBusCounters counters) {
        this.store = store;
        this.refusedDirectory = refusedDirectory;
        this.maxMessages = maxMessages;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.batchMessages = batchMessages;
        this.batchBytes = batchBytes;
        this.clock = clock;
        this.counters = counters;
        this.backoff = initialBackoff;
    }

    public boolean enabled() {
        return store != null;
    }

    /** Messages wait in the outbox: a new one must queue behind them to keep the order. */
    public boolean hasBacklog() {
        return store != null && store.depth() > 0;
    }

    /**
     * Keeps the message (body, Content-Type, MessageId, and when its publish was accepted) on disk; without an
     * outbox, answers 503.
     */
    public void append(Exchange exchange) {
        if (store == null) {
            throw new ApiException(503, "NoNamespaceAvailable",
                    "No Service Bus namespace took the message and the outbox is off; nothing was kept", 5);
        }
        org.apache.camel.Message message = exchange.getMessage();
        try {
            // the limit is checked and the message stored under one lock, so concurrent publishers cannot overshoot
            synchronized (store) {
                if (store.depth() >= maxMessages) {
                    throw new ApiException(503, "OutboxFull", "The outbox holds " + maxMessages
                            + " messages, its limit; nothing was kept", 5);
                }
                // the publish's acceptance, so the drain gives the message the same xregion-accepted-at
                long accepted = AcceptedAt.of(message);
                store.append(accepted >= 0 ? accepted : clock.millis(),
                        message.getHeader(ServiceBusConstants.MESSAGE_ID, String.class),
                        message.getHeader(Exchange.CONTENT_TYPE, String.class), message.getBody(byte[].class));
            }
        } catch (UncheckedIOException e) {
            LOG.error("Outbox: a message could not be stored: {}", e.getCause().toString());
            throw new ApiException(503, "OutboxUnavailable",
                    "No Service Bus namespace took the message and the outbox cannot store it now; nothing was kept",
                    5);
        }
    }

    /** A message waits and its next attempt is due. */
    public synchronized boolean readyToSend() {
        return store != null && store.depth() > 0 && clock.millis() >= nextAttemptMillis;
    }

    /**
     * Puts the oldest messages on the exchange: one message as itself (body, Content-Type, MessageId), several as
     * a list of {@link OutgoingMessage}s that the producer sends in one call. Batches let the drain catch up with a
     * backlog while new messages keep queueing behind it. {@link #settle} says what became of them.
     */
    public void takeBatch(Exchange exchange) {
        int most;
        synchronized (this) {
            most = oneAtATime > 0 ? 1 : batchMessages;
        }
        List<FileOutbox.Entry> entries = store.peek(most, batchBytes);
        org.apache.camel.Message message = exchange.getMessage();
        message.removeHeaders("*");
        if (entries.size() == 1) {
            FileOutbox.Entry head = entries.get(0);
            message.setBody(head.body());
            message.setHeader(ServiceBusConstants.MESSAGE_ID, head.messageId());
            if (head.contentType() != null) {
                message.setHeader(Exchange.CONTENT_TYPE, head.contentType());
            }
            AcceptedAt.stamp(message, head.enqueuedAtMillis());
        } else {
            message.setBody(entries.stream().map(e -> new OutgoingMessage(e.messageId(), e.contentType(), e.body(),
                    e.enqueuedAtMillis())).toList());
        }
        exchange.setVariable(BATCH, new Batch(entries.get(entries.size() - 1).sequence(), entries.size()));
    }

    /**
     * Settles the batch the drain took, given how its send went ({@code failure} null: it went). Delivered, its
     * messages leave the outbox and the backoff starts over. Refused because of a message in it (too large,
     * malformed), a batch is sent again one message at a time, now, so the one at fault is found, and a message on
     * its own is set aside with the reason. Anything else (an outage; a refusal of xregion itself, which someone has
     * to put right) waits out the backoff and keeps every message.
     */
    public void settle(Exchange exchange, Throwable failure) {
        Batch batch = exchange.getVariable(BATCH, Batch.class);
        if (batch != null && failure == null) {
            delivered(batch);
            counters.delivered(batch.size());
        } else if (batch != null && messageAtFault(failure)) {
            if (batch.size() > 1) {
                sendOneAtATime(batch);
            } else {
                moveToRefused(batch, failure);
                counters.refused();
            }
        } else {
            retryLater(failure);
        }
    }

    private synchronized void delivered(Batch batch) {
        store.removeThrough(batch.lastSequence());
        oneAtATime = Math.max(0, oneAtATime - batch.size());
        backoff = initialBackoff;
        nextAttemptMillis = 0;
    }

    private synchronized void sendOneAtATime(Batch batch) {
        oneAtATime = batch.size();
    }

    /**
     * The backoff doubles up to its maximum. After an outage that is all there is to it; anything else (the
     * namespaces refuse xregion's credentials or entity, a message that cannot be read) needs someone to act, and
     * the messages wait for them.
     */
    private synchronized void retryLater(Throwable cause) {
        nextAttemptMillis = clock.millis() + backoff.toMillis();
        if (cause == null || cause instanceof NamespaceUnavailableException) {
            LOG.info("Outbox: {} messages wait; next attempt in {} ms", store.depth(), backoff.toMillis());
        } else {
            LOG.error("Outbox: {} messages wait, and will until this is put right: {}; next attempt in {} ms",
                    store.depth(), cause.getMessage(), backoff.toMillis());
        }
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    }

    /** A namespace is reachable again: the next attempt need not wait out the backoff. */
    public synchronized void namespaceBack() {
        backoff = initialBackoff;
        nextAttemptMillis = 0;
    }

    /** Whether the send failed because of the message itself, which no retry can deliver. */
    private static boolean messageAtFault(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SendRefusedException refused) {
                return refused.messageAtFault();
            }
        }
        return false;
    }

    /**
     * A namespace refused the message itself for good (too large, malformed): it would block every message behind
     * it, so it is moved to the refused directory, with why, for someone to look at. Only then does it leave the
     * outbox.
     */
    private void moveToRefused(Batch batch, Throwable cause) {
        long sequence = batch.lastSequence();
        FileOutbox.Entry head = store.head();
        try {
            Files.createDirectories(refusedDirectory);
            Map<String, Object> why = new LinkedHashMap<>();
            why.put("messageId", head.messageId());
            why.put("contentType", head.contentType());
            why.put("enqueuedAtMillis", head.enqueuedAtMillis());
            why.put("error", cause == null ? null : cause.getMessage());
            writeDurably(refusedDirectory.resolve(sequence + ".body"), head.body());
            writeDurably(refusedDirectory.resolve(sequence + ".json"),
                    ApiErrors.json(why).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("the outbox cannot set a refused message aside", e);
        }
        store.removeThrough(sequence);
        synchronized (this) {
            oneAtATime = Math.max(0, oneAtATime - 1);
        }
        LOG.error("Outbox: message {} was refused for good and set aside in {}: {}", head.messageId(),
                refusedDirectory, cause == null ? "" : cause.getMessage());
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /**
     * Whether a message no namespace takes would be kept: the outbox is on, open, not full, and its files could be
     * written and read the last time it tried.
     */
    public boolean takesMessages() {
        return store != null && !store.closed() && !store.broken() && store.depth() < maxMessages;
    }

    /** The outbox cannot write or read its files: its last attempt failed (a full or broken disk, files gone). */
    public boolean broken() {
        return store != null && store.broken();
    }

    public int depth() {
        return store == null ? 0 : store.depth();
    }

    /** How long the oldest message has waited, in seconds (0 when empty). */
    public double oldestAgeSeconds() {
        long oldest = store == null ? -1 : store.oldestEnqueuedAtMillis();
        return oldest < 0 ? 0 : (clock.millis() - oldest) / 1000.0;
    }

    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
