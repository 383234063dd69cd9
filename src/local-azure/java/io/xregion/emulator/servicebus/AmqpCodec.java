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
        return swapGuidOrder(buffer.array());
    }

    static UUID lockToken(byte[] tag) {
        if (tag == null || tag.length != 16) {
            return null;
        }
        byte[] java = swapGuidOrder(tag);
        ByteBuffer buffer = ByteBuffer.wrap(java);
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    /** Java's UUID byte order to .NET's Guid order, and back (the same swap both ways). */
    private static byte[] swapGuidOrder(byte[] bytes) {
        byte[] swapped = bytes.clone();
        for (int[] pair : new int[][] {{0, 3}, {1, 2}, {4, 5}, {6, 7}}) {
            swapped[pair[0]] = bytes[pair[1]];
            swapped[pair[1]] = bytes[pair[0]];
        }
        return swapped;
    }
}
