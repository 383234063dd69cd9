package io.xregion.servicebus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.azure.core.amqp.models.AmqpMessageBody;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.UnsignedShort;

/**
 * The bytes of a received message's AMQP body, whichever section holds it. Producers other than xregion do not all
 * send a data section: the JavaScript SDK sends an AMQP value or sequence section when told to ({@code bodyType}),
 * and so do the .NET and Python SDKs for an AmqpAnnotatedMessage with a value or sequence body.
 * <ul>
 * <li>data: its bytes, content type still to be chosen;</li>
 * <li>value: a string (or symbol, char) is its text as text/plain; binary its bytes, content type still to be chosen;
 * null no bytes; a number, boolean, map, list, array, timestamp or uuid its JSON as application/json (map keys as
 * strings, binary inside as base64, timestamps as ISO-8601 instants);</li>
 * <li>sequence: the JSON array of its items, as application/json.</li>
 * </ul>
 * A value of a type with no JSON form (a described type, a decimal) cannot be read: UnsupportedBody.
 */
final class AmqpBodies {

    private static final JsonFactory JSON = new JsonFactory();

    private AmqpBodies() {
    }

    static ReceivedBody read(AmqpMessageBody body) {
        switch (body.getBodyType()) {
            case DATA:
                return new ReceivedBody(body.getFirstData(), null);
            case SEQUENCE:
                return new ReceivedBody(json(body.getSequence()), ContentTypes.JSON);
            case VALUE:
                return value(body.getValue());
            default:
                throw new UnprocessableMessageException(ReceivedMessages.UNSUPPORTED_BODY,
                        "The AMQP body is of a kind this app server cannot read: " + body.getBodyType());
        }
    }

    private static ReceivedBody value(Object value) {
        if (value == null) {
            return new ReceivedBody(new byte[0], null);
        }
        if (value instanceof String || value instanceof Symbol || value instanceof Character) {
            return new ReceivedBody(value.toString().getBytes(StandardCharsets.UTF_8), ContentTypes.TEXT);
        }
        if (value instanceof Binary binary) {
            return new ReceivedBody(Arrays.copyOfRange(binary.getArray(), binary.getArrayOffset(),
                    binary.getArrayOffset() + binary.getLength()), null);
        }
        if (value instanceof byte[] bytes) {
            return new ReceivedBody(bytes, null);
        }
        return new ReceivedBody(json(value), ContentTypes.JSON);
    }

    private static byte[] json(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            write(generator, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator out, Object value) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof String || value instanceof Symbol || value instanceof Character
                || value instanceof UUID) {
            out.writeString(value.toString());
        } else if (value instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof UnsignedByte || value instanceof UnsignedShort
                || value instanceof UnsignedInteger) {
            out.writeNumber(((Number) value).longValue());
        } else if (value instanceof UnsignedLong unsigned) {
            out.writeNumber(unsigned.bigIntegerValue());
        } else if (value instanceof Float || value instanceof Double) {
            out.writeNumber(((Number) value).doubleValue());
        } else if (value instanceof BigDecimal || value instanceof BigInteger) {
            out.writeNumber(new BigDecimal(value.toString()));
        } else if (value instanceof Date date) {
            out.writeString(date.toInstant().toString());
        } else if (value instanceof Binary binary) {
            out.writeBinary(binary.getArray(), binary.getArrayOffset(), binary.getLength());
        } else if (value instanceof byte[] bytes) {
            out.writeBinary(bytes);
        } else if (value instanceof Map<?, ?> map) {
            out.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.writeFieldName(key(entry.getKey()));
                write(out, entry.getValue());
            }
            out.writeEndObject();
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (Object item : list) {
                write(out, item);
            }
            out.writeEndArray();
        } else if (value.getClass().isArray()) {
            out.writeStartArray();
            for (int i = 0; i < Array.getLength(value); i++) {
                write(out, Array.get(value, i));
            }
            out.writeEndArray();
        } else {
            throw noJsonForm(value);
        }
    }

    private static String key(Object key) {
        if (key instanceof String || key instanceof Symbol || key instanceof Number || key instanceof Boolean
                || key instanceof Character || key instanceof UUID) {
            return key.toString();
        }
        throw noJsonForm(key);
    }

    private static UnprocessableMessageException noJsonForm(Object value) {
        return new UnprocessableMessageException(ReceivedMessages.UNSUPPORTED_BODY,
                "The AMQP value body holds a " + value.getClass().getSimpleName()
                        + ", which has no JSON form a broadcast could carry");
    }
}
