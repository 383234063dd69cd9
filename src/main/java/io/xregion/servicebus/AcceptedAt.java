package io.xregion.servicebus;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Message;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;

/**
 * When a publish was accepted, carried in the message's application properties ({@value #PROPERTY}, epoch
 * milliseconds): set once, when the request is accepted, so both namespaces' copies (and a copy kept in the outbox
 * first) carry the same instant, and the app server that processes either copy can time the delivery
 * ({@code xregion.delivery.latency}). A message from another producer has no such property: its copy's
 * EnqueuedTime stands in.
 */
public final class AcceptedAt {

    /** The application property, as the message carries it to every consumer. */
    public static final String PROPERTY = "xregion-accepted-at";

    private AcceptedAt() {
    }

    /** Gives the message to send the property, keeping any application properties it has. */
    public static void stamp(Message message, long epochMillis) {
        @SuppressWarnings("unchecked")
        Map<String, Object> existing = message.getHeader(ServiceBusConstants.APPLICATION_PROPERTIES, Map.class);
        Map<String, Object> properties = existing == null ? new LinkedHashMap<>() : new LinkedHashMap<>(existing);
        properties.put(PROPERTY, epochMillis);
        message.setHeader(ServiceBusConstants.APPLICATION_PROPERTIES, properties);
    }

    /** The property of a message to send or received, or -1 when it has none (or one that is not a number). */
    public static long of(Message message) {
        Object value = null;
        if (message.getHeader(ServiceBusConstants.APPLICATION_PROPERTIES) instanceof Map<?, ?> properties) {
            value = properties.get(PROPERTY);
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof String text) {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * Where a received copy's delivery is timed from: the publish accepted, else (another producer) the copy's
     * EnqueuedTime; -1 when neither is known.
     */
    public static long deliveryStart(Message received) {
        long accepted = of(received);
        if (accepted >= 0) {
            return accepted;
        }
        OffsetDateTime enqueued = received.getHeader(ServiceBusConstants.ENQUEUED_TIME, OffsetDateTime.class);
        return enqueued == null ? -1 : enqueued.toInstant().toEpochMilli();
    }
}
