package io.xregion.continuity;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.xregion.servicebus.UnprocessableMessageException;
import io.xregion.webpubsub.WebPubSubRequest;
import io.xregion.webpubsub.WebPubSubRequests;

/**
 * The two steps of a broadcast with continuity (routes/continuity.camel.yaml): {@link #envelope} writes the message
 * to the history and makes the envelope for the connections in the {@value Envelope#GROUP} group, {@link #raw} puts
 * the message back as it came for every other connection. Each step narrows the broadcast's REST call with the
 * service's OData {@code filter}, so no connection gets both and the raw clients see what they saw before.
 */
public final class ContinuityBroadcast {

    static final String ENVELOPE_FILTER = "'" + Envelope.GROUP + "' in groups";
    static final String RAW_FILTER = "not(" + ENVELOPE_FILTER + ")";
    private static final String RAW_BODY = "continuityRawBody";
    private static final String RAW_TYPE = "continuityRawContentType";
    private static final String MESSAGE_ID = "CamelAzureServiceBusMessageId";

    /** The variable the broadcast route passes the request in (routes/webpubsub-broadcast.camel.yaml). */
    static final String REQUEST = "request";

    private final RecordingHistory history;
    private final int maxMessageBytes;

    public ContinuityBroadcast(RecordingHistory history, int maxMessageBytes) {
        this.history = history;
        this.maxMessageBytes = maxMessageBytes;
    }

    public void envelope(Exchange exchange) {
        Message message = exchange.getMessage();
        WebPubSubRequest request = exchange.getVariable(REQUEST, WebPubSubRequest.class);
        byte[] body = message.getBody(byte[].class);
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        String id = message.getHeader(MESSAGE_ID, String.class);
        HistoryEntry entry = new HistoryEntry(id == null ? UUID.randomUUID().toString() : id,
                Envelope.dataType(contentType), body);
        String stream = StreamName.of(request);
        byte[] envelope = Envelope.of(stream, history.append(stream, entry), entry);
        if (envelope.length > maxMessageBytes) {
            throw new UnprocessableMessageException("TooLarge", "The message in its envelope (" + envelope.length
                    + " bytes) is larger than xregion.webpubsub.broadcast.max-message-bytes (" + maxMessageBytes + ")");
        }
        exchange.setVariable(RAW_BODY, body);
        exchange.setVariable(RAW_TYPE, contentType);
        message.setBody(envelope);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.setVariable(REQUEST, filtered(request, ENVELOPE_FILTER));
    }

    public void raw(Exchange exchange) {
        Message message = exchange.getMessage();
        WebPubSubRequest request = exchange.getVariable(REQUEST, WebPubSubRequest.class);
        message.setBody(exchange.getVariable(RAW_BODY));
        message.setHeader(Exchange.CONTENT_TYPE, exchange.getVariable(RAW_TYPE));
        exchange.setVariable(REQUEST, filtered(unfiltered(request), RAW_FILTER));
        exchange.removeVariable(RAW_BODY);
        exchange.removeVariable(RAW_TYPE);
    }

    static WebPubSubRequest filtered(WebPubSubRequest request, String filter) {
        return new WebPubSubRequest(request.operation(), request.path(), request.rawQuery() + "&filter="
                + URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20"), request.audience());
    }

    private static WebPubSubRequest unfiltered(WebPubSubRequest request) {
        int filter = request.rawQuery().indexOf("&filter=");
        return filter < 0 ? request : new WebPubSubRequest(request.operation(), request.path(),
                request.rawQuery().substring(0, filter), request.audience());
    }
}
