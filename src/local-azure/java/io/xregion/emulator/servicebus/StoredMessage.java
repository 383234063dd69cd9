package io.xregion.emulator.servicebus;

import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.message.Message;

/** A message held by an entity, with what the broker adds: its sequence number, enqueue time and deliveries. */
final class StoredMessage {

    private static final Symbol SEQUENCE_NUMBER = Symbol.valueOf("x-opt-sequence-number");
    private static final Symbol ENQUEUED_TIME = Symbol.valueOf("x-opt-enqueued-time");
    private static final Symbol LOCKED_UNTIL = Symbol.valueOf("x-opt-locked-until");

    final Message message;
    final long sequenceNumber;
    final Date enqueuedTime;
    int deliveryCount;

    StoredMessage(Message message, long sequenceNumber, Date enqueuedTime) {
        this.message = message;
        this.sequenceNumber = sequenceNumber;
        this.enqueuedTime = enqueuedTime;
    }

    /**
     * A copy with the broker's annotations and the header's delivery count, as a receiver (or a peek, without a lock)
     * gets it. The SDKs cast the sequence number to long and the times to timestamps.
     */
    Message annotated(Date lockedUntil) {
        byte[] original = AmqpCodec.encode(message);
        Message copy = AmqpCodec.decode(original, original.length);
        Header header = copy.getHeader() == null ? new Header() : copy.getHeader();
        header.setDeliveryCount(UnsignedInteger.valueOf(deliveryCount));
        copy.setHeader(header);
        Map<Symbol, Object> annotations = copy.getMessageAnnotations() == null ? new HashMap<>()
                : new HashMap<>(copy.getMessageAnnotations().getValue());
        annotations.put(SEQUENCE_NUMBER, sequenceNumber);
        annotations.put(ENQUEUED_TIME, enqueuedTime);
        if (lockedUntil != null) {
            annotations.put(LOCKED_UNTIL, lockedUntil);
        }
        copy.setMessageAnnotations(new MessageAnnotations(annotations));
        return copy;
    }
}
