package io.xregion.servicebus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.http.ApiErrors;
import io.xregion.http.ApiException;

/**
 * The durable client-side queue the routes use while no namespace takes messages: publishing appends to it, the
 * drain route sends its messages in order, with their MessageIds, backing off while the namespaces stay away.
 * Switched off, a publish that no namespace takes is answered 503 and nothing is kept.
 */
public final class Outbox {

    /** The exchange variable with the outbox sequence number of the message being drained. */
    public static final String SEQUENCE = "outboxSequence";

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.outbox");

    private final FileOutbox store;
    private final Path rejectedDirectory;
    private final int maxMessages;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Clock clock;
    private Duration backoff;
    private long nextAttemptMillis;

    /** A disabled outbox. */
    public static Outbox disabled() {
        return new Outbox(null, null, 0, Duration.ofSeconds(1), Duration.ofSeconds(1), Clock.systemUTC());
    }

    public Outbox(FileOutbox store, Path rejectedDirectory, int maxMessages, Duration initialBackoff,
            Duration maxBackoff, Clock clock) {
        this.store = store;
        this.rejectedDirectory = rejectedDirectory;
        this.maxMessages = maxMessages;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.clock = clock;
        this.backoff = initialBackoff;
    }

    public boolean enabled() {
        return store != null;
    }

    /** Messages wait in the outbox: a new one must queue behind them to keep the order. */
    public boolean hasBacklog() {
        return store != null && store.depth() > 0;
    }

    /** Keeps the message (body, Content-Type, MessageId) on disk; without an outbox, answers 503. */
    public void append(Exchange exchange) {
        if (store == null) {
            throw new ApiException(503, "NoNamespaceAvailable",
                    "No Service Bus namespace took the message and the outbox is off; nothing was kept", 5);
        }
        if (store.depth() >= maxMessages) {
            throw new ApiException(503, "OutboxFull", "The outbox holds " + maxMessages
                    + " messages, its limit; nothing was kept", 5);
        }
        org.apache.camel.Message message = exchange.getMessage();
        store.append(clock.millis(), message.getHeader(ServiceBusConstants.MESSAGE_ID, String.class),
                message.getHeader(Exchange.CONTENT_TYPE, String.class), message.getBody(byte[].class));
    }

    /** A message waits and its next attempt is due. */
    public synchronized boolean readyToSend() {
        return store != null && store.depth() > 0 && clock.millis() >= nextAttemptMillis;
    }

    /** Puts the oldest message on the exchange: body, Content-Type, MessageId. */
    public void loadHead(Exchange exchange) {
        FileOutbox.Entry head = store.head();
        org.apache.camel.Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setBody(head.body());
        message.setHeader(ServiceBusConstants.MESSAGE_ID, head.messageId());
        if (head.contentType() != null) {
            message.setHeader(Exchange.CONTENT_TYPE, head.contentType());
        }
        exchange.setVariable(SEQUENCE, head.sequence());
    }

    /** The message reached a namespace: it leaves the outbox, and the backoff starts over. */
    public synchronized void delivered(Exchange exchange) {
        store.remove(exchange.getVariable(SEQUENCE, Long.class));
        backoff = initialBackoff;
        nextAttemptMillis = 0;
    }

    /** No namespace took it: try again after the backoff, which doubles up to its maximum. */
    public synchronized void retryLater(Exchange exchange) {
        nextAttemptMillis = clock.millis() + backoff.toMillis();
        LOG.info("Outbox: {} messages wait; next attempt in {} ms", store.depth(), backoff.toMillis());
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    }

    /**
     * A namespace refused the message for good (too large, unauthorized): it would block every message behind it,
     * so it is moved to the rejected directory, with why, for someone to look at.
     */
    public void setAside(Exchange exchange) {
        long sequence = exchange.getVariable(SEQUENCE, Long.class);
        FileOutbox.Entry head = store.head();
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        try {
            Files.createDirectories(rejectedDirectory);
            Map<String, Object> why = new LinkedHashMap<>();
            why.put("messageId", head.messageId());
            why.put("contentType", head.contentType());
            why.put("enqueuedAtMillis", head.enqueuedAtMillis());
            why.put("error", cause == null ? null : cause.getMessage());
            Files.write(rejectedDirectory.resolve(sequence + ".body"), head.body());
            Files.writeString(rejectedDirectory.resolve(sequence + ".json"), ApiErrors.json(why));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the outbox cannot set a refused message aside", e);
        }
        store.remove(sequence);
        LOG.error("Outbox: message {} was refused for good and set aside in {}: {}", head.messageId(),
                rejectedDirectory, cause == null ? "" : cause.getMessage());
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
