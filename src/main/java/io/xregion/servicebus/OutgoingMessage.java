package io.xregion.servicebus;

/**
 * One message of a batch sent in a single call (the outbox drain's): a list of these as the body makes the Service
 * Bus producer send them in order, each with its own MessageId, content type and {@link AcceptedAt} property.
 *
 * @param acceptedAtMillis when its publish was accepted (epoch millis), or -1 when not known
 */
public record OutgoingMessage(String messageId, String contentType, byte[] body, long acceptedAtMillis) {

    public OutgoingMessage(String messageId, String contentType, byte[] body) {
        this(messageId, contentType, body, -1);
    }
}
