package io.xregion.emulator.servicebus;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.message.Message;

/** Encoding helpers for the parts of the Service Bus dialect that plain AMQP 1.0 does not have. */
final class AmqpCodec {

    /** The message format of a batch: one transfer whose Data sections each hold a whole encoded message. */
    static final int BATCH_FORMAT = 0x80013700;

    private AmqpCodec() {
    }

    static Message decode(byte[] bytes, int length) {
        Message message = Proton.message();
        message.decode(bytes, 0, length);
        return message;
    }

    static List<Message> decodeBatch(byte[] bytes, int length) {
        DecoderImpl decoder = new DecoderImpl();
        EncoderImpl encoder = new EncoderImpl(decoder);
        AMQPDefinedTypes.registerAllTypes(decoder, encoder);
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
        decoder.setByteBuffer(buffer);
        List<Message> messages = new ArrayList<>();
        while (buffer.hasRemaining()) {
            if (decoder.readObject() instanceof Data data) {
                Binary binary = data.getValue();
                Message message = Proton.message();
                message.decode(binary.getArray(), binary.getArrayOffset(), binary.getLength());
                messages.add(message);
            }
        }
        return messages;
    }

    static byte[] encode(Message message) {
        int size = 4096;
        while (true) {
            byte[] buffer = new byte[size];
            try {
                int length = message.encode(buffer, 0, size);
                return Arrays.copyOf(buffer, length);
            } catch (BufferOverflowException e) {
                size *= 4;
            }
        }
    }

    /**
     * A lock token as the delivery tag: 16 bytes in .NET Guid order (first three fields little-endian), which is how
     * the SDK reads it back; any other tag reads as the all-zero token.
     */
    static byte[] lockTokenTag(UUID token) {
        ByteBuffer buffer = ByteBuffer.allocate(16);
        buffer.putLong(token.getMostSignificantBits()).putLong(token.getLeastSignificantBits());
        byte[] java = buffer.array();
        byte[] net = java.clone();
        net[0] = java[3];
        net[1] = java[2];
        net[2] = java[1];
        net[3] = java[0];
        net[4] = java[5];
        net[5] = java[4];
        net[6] = java[7];
        net[7] = java[6];
        return net;
    }

    static UUID lockToken(byte[] tag) {
        if (tag == null || tag.length != 16) {
            return null;
        }
        byte[] java = tag.clone();
        java[0] = tag[3];
        java[1] = tag[2];
        java[2] = tag[1];
        java[3] = tag[0];
        java[4] = tag[5];
        java[5] = tag[4];
        java[6] = tag[7];
        java[7] = tag[6];
        ByteBuffer buffer = ByteBuffer.wrap(java);
        return new UUID(buffer.getLong(), buffer.getLong());
    }
}
