package io.xregion.servicebus;

/**
 * One message of a batch sent in a single call (the outbox drain's): a list of these as the body makes the Service
 * Bus producer send them in order, each with its own MessageId and content type.
 */
public record OutgoingMessage(String messageId, String contentType, byte[] body) {
}
