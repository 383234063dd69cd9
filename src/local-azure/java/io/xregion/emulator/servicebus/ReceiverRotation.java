package io.xregion.emulator.servicebus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.qpid.proton.engine.Sender;

/**
 * The receivers of each queue or subscription (our sending links), taken in turn. Competing consumers share an
 * entity's messages: each message goes to the next receiver with credit after the one served last, so a receiver
 * that grants a lot of credit cannot starve one that grants a little (one app server taking 599 of 600 messages).
 */
final class ReceiverRotation {

    /** One entity's receivers in attach order, and where the turn is. */
    private static final class Turn {
        final List<Sender> receivers = new ArrayList<>();
        int next;
    }

    private final Map<MessageEntity, Turn> turns = new HashMap<>();
    private final Map<Sender, MessageEntity> entityByReceiver = new HashMap<>();

    void add(MessageEntity entity, Sender receiver) {
        turns.computeIfAbsent(entity, e -> new Turn()).receivers.add(receiver);
        entityByReceiver.put(receiver, entity);
    }

    /** The entity the receiver reads, or null if it is not one of ours (any more). */
    MessageEntity entityOf(Sender receiver) {
        return entityByReceiver.get(receiver);
    }

    /** Forgets the receiver; the turn stays with the receiver that was to come next. */
    MessageEntity remove(Sender receiver) {
        MessageEntity entity = entityByReceiver.remove(receiver);
        if (entity != null) {
            Turn turn = turns.get(entity);
            int index = turn.receivers.indexOf(receiver);
            turn.receivers.remove(index);
            if (index < turn.next) {
                turn.next--;
            }
            if (turn.receivers.isEmpty()) {
                turns.remove(entity);
            }
        }
        return entity;
    }

    /** The entity's next receiver in turn that is ready, which then has had its turn; null if none is ready. */
    Sender next(MessageEntity entity, Predicate<Sender> ready) {
        Turn turn = turns.get(entity);
        if (turn == null) {
            return null;
        }
        int size = turn.receivers.size();
        for (int i = 0; i < size; i++) {
            int index = (turn.next + i) % size;
            Sender receiver = turn.receivers.get(index);
            if (ready.test(receiver)) {
                turn.next = (index + 1) % size;
                return receiver;
            }
        }
        return null;
    }

    /** The entity's receivers in attach order. */
    List<Sender> receivers(MessageEntity entity) {
        Turn turn = turns.get(entity);
        return turn == null ? List.of() : List.copyOf(turn.receivers);
    }

    /** Every receiver, of every entity. */
    List<Sender> all() {
        return List.copyOf(entityByReceiver.keySet());
    }
}
