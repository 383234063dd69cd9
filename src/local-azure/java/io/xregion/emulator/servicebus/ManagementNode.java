package io.xregion.emulator.servicebus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.message.Message;

/**
 * An entity's {@code $management} node: renew-lock and peek-message as the service answers them. Every other
 * operation is refused at once (see {@link Unsupported}).
 */
final class ManagementNode {

    private static final Symbol LOCK_LOST = Symbol.valueOf("com.microsoft:message-lock-lost");
    private static final Symbol NOT_FOUND = Symbol.valueOf("amqp:not-found");
    private static final Symbol BAD_REQUEST = Symbol.valueOf("amqp:invalid-field");

    private final Entities entities;
    private final Duration lockDuration;

    ManagementNode(Entities entities, Duration lockDuration) {
        this.entities = entities;
        this.lockDuration = lockDuration;
    }

    /** The answer to a request sent to {@code <entityPath>/$management}. */
    Reply answer(String entityPath, Message request) {
        Map<?, ?> properties = request.getApplicationProperties() == null ? Map.of()
                : request.getApplicationProperties().getValue();
        String operation = String.valueOf(properties.get("operation"));
        Map<?, ?> body = request.getBody() instanceof AmqpValue value && value.getValue() instanceof Map<?, ?> map
                ? map : Map.of();
        boolean known = operation.equals("com.microsoft:renew-lock") || operation.equals("com.microsoft:peek-message");
        if (!known) {
            return Reply.error(Unsupported.STATUS, Unsupported.NOT_IMPLEMENTED,
                    Unsupported.managementOperation(operation));
        }
        MessageEntity entity = entities.readable(entityPath);
        if (entity == null) {
            return Reply.error(404, NOT_FOUND, "The messaging entity '" + entityPath + "' could not be found");
        }
        return operation.equals("com.microsoft:renew-lock") ? renewLocks(entity, body) : peek(entity, body);
    }

    private Reply renewLocks(MessageEntity entity, Map<?, ?> body) {
        if (!(body.get("lock-tokens") instanceof UUID[] tokens)) {
            return Reply.error(400, BAD_REQUEST, "renew-lock needs lock-tokens, an array of uuids");
        }
        Date[] expirations = new Date[tokens.length];
        synchronized (entities) {
            for (int i = 0; i < tokens.length; i++) {
                MessageEntity.Lock lock = entity.lockOf(tokens[i]);
                if (lock == null) {
                    return Reply.error(410, LOCK_LOST, "The lock supplied is invalid: it expired or was already used");
                }
                lock.lockedUntilMillis = System.currentTimeMillis() + lockDuration.toMillis();
                expirations[i] = new Date(lock.lockedUntilMillis);
            }
        }
        return Reply.ok(new AmqpValue(Map.of("expirations", expirations)));
    }

    /**
     * Up to message-count messages from from-sequence-number on, in sequence order, locked ones included (the service
     * shows those too), without locking anything; 204 when there are none.
     */
    private Reply peek(MessageEntity entity, Map<?, ?> body) {
        if (!(body.get("from-sequence-number") instanceof Number from)
                || !(body.get("message-count") instanceof Number count)) {
            return Reply.error(400, BAD_REQUEST, "peek-message needs from-sequence-number and message-count");
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        synchronized (entities) {
            for (StoredMessage stored : entity.browse(from.longValue(), count.intValue())) {
                Message peeked = stored.annotated(null);
                messages.add(Map.of("message", new Binary(AmqpCodec.encode(peeked))));
            }
        }
        if (messages.isEmpty()) {
            return new Reply(204, "No messages to peek", null, null);
        }
        return Reply.ok(new AmqpValue(Map.of("messages", messages)));
    }
}
