package io.xregion.emulator.servicebus;

import java.util.Date;

import org.apache.qpid.proton.message.Message;

/** A message held by an entity, with what the broker adds: its sequence number, enqueue time and deliveries. */
final class StoredMessage {

    final Message message;
    final long sequenceNumber;
    final Date enqueuedTime;
    int deliveryCount;

    StoredMessage(Message message, long sequenceNumber, Date enqueuedTime) {
        this.message = message;
        this.sequenceNumber = sequenceNumber;
        this.enqueuedTime = enqueuedTime;
    }
}
