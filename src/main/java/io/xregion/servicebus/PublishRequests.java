package io.xregion.servicebus;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;

import io.xregion.http.ApiErrors;
import io.xregion.http.ApiException;
import io.xregion.webpubsub.BroadcastPayload;

/**
 * The publish API's input and answer. A message keeps its body and Content-Type; its MessageId is the caller's
 * Idempotency-Key when there is one (so a retried request is recognised downstream), else a new one.
 */
public final class PublishRequests {

    /** The exchange variable saying what became of a published message: sent or queued. */
    public static final String STATUS = "publishStatus";
    private static final int MAX_MESSAGE_ID = 128;

    private final BroadcastPayload payload;
    private final ServiceBusSettings.Mode mode;
    private final Outbox outbox;

    /**
     * @param payload the message rules: the default pipeline broadcasts what it receives to Web PubSub clients
     */
    public PublishRequests(BroadcastPayload payload, ServiceBusSettings.Mode mode, Outbox outbox) {
        this.payload = payload;
        this.mode = mode;
        this.outbox = outbox;
    }

    /**
     * Checks the request and leaves only the body, its Content-Type, the MessageId and the moment it was accepted
     * ({@link AcceptedAt}) on the exchange.
     */
    public void accept(Exchange exchange) {
        payload.check(exchange);
        org.apache.camel.Message message = exchange.getMessage();
        Object key = message.getHeader("Idempotency-Key");
        String messageId;
        if (key == null) {
            messageId = UUID.randomUUID().toString();
        } else if (key instanceof String s && !s.isBlank() && s.length() <= MAX_MESSAGE_ID
                && s.chars().noneMatch(Character::isISOControl)) {
            messageId = s;
        } else {
            throw ApiException.badRequest("Idempotency-Key must be given once, 1 to " + MAX_MESSAGE_ID
                    + " characters without control characters");
        }
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        message.setHeader(ServiceBusConstants.MESSAGE_ID, messageId);
        AcceptedAt.stamp(message, System.currentTimeMillis());
    }

    /** A client event's MessageId: the connection and the service's event id, so a re-sent event is recognised. */
    public void acceptClientEvent(Exchange exchange) {
        org.apache.camel.Message message = exchange.getMessage();
        String connection = message.getHeader("ce-connectionId", String.class);
        String eventId = message.getHeader("ce-id", String.class);
        String messageId = connection != null && eventId != null ? connection + "." + eventId
                : UUID.randomUUID().toString();
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        payload.check(exchange);
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        // a MessageId longer than Service Bus takes is shortened to a name-based UUID: the same event, the same id
        message.setHeader(ServiceBusConstants.MESSAGE_ID, messageId.length() > MAX_MESSAGE_ID
                ? UUID.nameUUIDFromBytes(messageId.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()
                : messageId);
        AcceptedAt.stamp(message, System.currentTimeMillis());
    }

    /** The 202 answer: the MessageId, sent or queued, and what each namespace made of it. */
    public void answer(Exchange exchange) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("messageId", exchange.getMessage().getHeader(ServiceBusConstants.MESSAGE_ID));
        String status = exchange.getVariable(STATUS, String.class);
        answer.put("status", status);
        answer.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        answer.put("namespaces", SendOutcomes.byNamespace(exchange));
        if ("queued".equals(status)) {
            answer.put("outboxDepth", outbox.depth());
        }
        ApiErrors.respond(exchange, 202, answer);
    }
}
