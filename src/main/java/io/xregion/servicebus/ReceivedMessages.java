package io.xregion.servicebus;

import com.azure.core.amqp.models.AmqpAnnotatedMessage;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;

/**
 * Makes any producer's message readable by direct:process, and says which messages the default processing (the
 * broadcast) can never carry. What cannot be read or carried throws {@link UnprocessableMessageException}, so the
 * namespace's consumer dead-letters it at once with one of these reasons.
 *
 * <p>How the content type is chosen (Web PubSub carries text/plain, application/json and application/octet-stream):
 * <ul>
 * <li>A declared ContentType decides, whatever its parameters: application/json, text/json and any {@code +json}
 * type are JSON and must parse; text/plain, any other {@code text/*}, XML ({@code application/xml}, {@code +xml}),
 * YAML, JavaScript, NDJSON and form data are text; their bytes are read in the declared charset (UTF-8 when none)
 * and carried as UTF-8. Any other type (image/png, application/x-protobuf, ...) is carried as opaque bytes, so a
 * client gets a binary frame, never a text frame it cannot decode.</li>
 * <li>Without a ContentType (or with a value that is not a media type, such as {@code json}) the body decides, as
 * the official JavaScript SDK's receiver reads it (that SDK JSON-encodes every body but a Buffer): valid UTF-8 that
 * is one JSON value is JSON, except a JSON string, which is its text ({@code "hello"} is delivered as hello); other
 * valid UTF-8 is text; anything else is bytes. An AMQP value or sequence body is read as {@link AmqpBodies} says.</li>
 * </ul>
 */
public final class ReceivedMessages {

    // DeadLetterReason values, one per way a message can be at fault
    public static final String EMPTY_BODY = "EmptyBody";
    public static final String TOO_LARGE = "TooLarge";
    public static final String INVALID_JSON = "InvalidJson";
    public static final String INVALID_TEXT = "InvalidText";
    public static final String UNSUPPORTED_CHARSET = "UnsupportedCharset";
    public static final String UNSUPPORTED_BODY = "UnsupportedBody";

    private final int maxBroadcastBytes;

    /** @param maxBroadcastBytes the largest message a broadcast carries (xregion.webpubsub.broadcast.max-message-bytes) */
    public ReceivedMessages(int maxBroadcastBytes) {
        this.maxBroadcastBytes = maxBroadcastBytes;
    }

    /**
     * Leaves the body as bytes and Content-Type as text/plain, application/json or application/octet-stream, from
     * the message's AMQP body (any section) and its declared ContentType ({@code CamelAzureServiceBusContentType},
     * which stays as the producer sent it).
     */
    public void read(Exchange exchange) {
        Message in = exchange.getMessage();
        ReceivedBody chosen = choose(body(in),
                ContentTypes.declared(in.getHeader(ServiceBusConstants.CONTENT_TYPE, String.class)));
        in.setBody(chosen.bytes());
        in.setHeader(Exchange.CONTENT_TYPE, chosen.contentType());
    }

    static ReceivedBody choose(ReceivedBody body, ContentTypes.Declared declared) {
        if (declared != null) {
            if (!declared.isText()) {
                return new ReceivedBody(body.bytes(), ContentTypes.BINARY);
            }
            // an AMQP string or JSON value is text already; bytes are text in the declared charset
            byte[] text = body.contentType() != null ? body.bytes()
                    : ContentTypes.toUtf8(body.bytes(), ContentTypes.charset(declared), declared.mediaType());
            if (declared.broadcastType().equals(ContentTypes.JSON)) {
                ContentTypes.requireJson(text, declared.mediaType());
            }
            return new ReceivedBody(text, declared.broadcastType());
        }
        return body.contentType() != null ? body : ContentTypes.sniff(body.bytes());
    }

    private static ReceivedBody body(Message in) {
        AmqpAnnotatedMessage amqp = in.getHeader(ServiceBusConstants.RAW_AMQP_MESSAGE, AmqpAnnotatedMessage.class);
        if (amqp != null) {
            return AmqpBodies.read(amqp.getBody());
        }
        // not from a namespace's consumer (a route that sends here itself): the body as it converts to bytes
        byte[] bytes = in.getBody(byte[].class);
        return new ReceivedBody(bytes == null ? new byte[0] : bytes, null);
    }

    /** What the broadcast can never carry: no body, or a body larger than a broadcast's limit. */
    public void requireBroadcastable(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw new UnprocessableMessageException(EMPTY_BODY, "The message has no body: a broadcast carries at "
                    + "least one byte");
        }
        if (body.length > maxBroadcastBytes) {
            throw new UnprocessableMessageException(TOO_LARGE, "The body is " + body.length
                    + " bytes; a broadcast carries at most " + maxBroadcastBytes
                    + " (xregion.webpubsub.broadcast.max-message-bytes)");
        }
        exchange.getMessage().setBody(body);
    }
}
