package io.xregion.emulator.servicebus;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;

/**
 * The answer of a request/response node ({@code $cbs}, {@code <entity>/$management}).
 *
 * <p>It goes to the reply-to address the request names, on the client's receiving link from that node. Clients name
 * that link in different ways: the Java SDK gives it the target address {@code cbs-client-reply-to}, while the
 * JavaScript SDK ({@code @azure/core-amqp}'s CbsClient) names the {@code $cbs} reply link {@code cbs-<uuid>}, leaves
 * its target empty and uses that name as reply-to (its {@code $management} link has name = target address =
 * reply-to). So a link matches by target address or by name.
 *
 * @param status      the status code; the Java SDK casts it to int, so it must travel as an AMQP int
 * @param description the status description, which the SDKs put in their exceptions
 * @param condition   the AMQP error condition of an error, or null
 * @param body        the response body, or null
 */
record Reply(int status, String description, Symbol condition, AmqpValue body) {

    static Reply ok(AmqpValue body) {
        return new Reply(200, "OK", null, body);
    }

    static Reply error(int status, Symbol condition, String description) {
        return new Reply(status, description, condition, null);
    }

    /** Sends this reply to the request; false if the client has no link for it (it will time out). */
    boolean sendFor(Receiver requestLink, Message request) {
        Sender link = replyLink(requestLink, request.getReplyTo());
        if (link == null) {
            return false;
        }
        boolean cbs = "$cbs".equals(((Target) requestLink.getTarget()).getAddress());
        byte[] encoded = AmqpCodec.encode(message(request, cbs));
        Delivery delivery = link.delivery(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII));
        link.send(encoded, 0, encoded.length);
        delivery.settle();
        link.advance();
        return true;
    }

    /**
     * The response message. {@code $cbs} answers with status-code and status-description (the CBS draft's names),
     * {@code $management} with statusCode, statusDescription and errorCondition, as the service does: the JavaScript
     * SDK's peek reads statusCode alone (the Java SDK reads either).
     */
    private Message message(Message request, boolean cbs) {
        Message response = Proton.message();
        // Java sends an UnsignedLong message-id, JavaScript a string uuid: either comes back as it was
        response.setCorrelationId(request.getMessageId());
        Map<String, Object> properties = new HashMap<>();
        properties.put(cbs ? "status-code" : "statusCode", status);
        properties.put(cbs ? "status-description" : "statusDescription", description);
        if (condition != null) {
            properties.put(cbs ? "error-condition" : "errorCondition", condition);
        }
        response.setApplicationProperties(new ApplicationProperties(properties));
        if (body != null) {
            response.setBody(body);
        }
        return response;
    }

    /**
     * The open link from the request's node to the client that the reply-to names, on the request's session if there
     * is one there, else anywhere on its connection.
     */
    private static Sender replyLink(Receiver requestLink, String replyTo) {
        String node = ((Target) requestLink.getTarget()).getAddress();
        Connection connection = requestLink.getSession().getConnection();
        Sender elsewhere = null;
        EnumSet<EndpointState> active = EnumSet.of(EndpointState.ACTIVE);
        for (Link link = connection.linkHead(active, active); link != null; link = link.next(active, active)) {
            if (link instanceof Sender sender && from(sender, node) && addressedBy(sender, replyTo)) {
                if (sender.getSession() == requestLink.getSession()) {
                    return sender;
                }
                if (elsewhere == null) {
                    elsewhere = sender;
                }
            }
        }
        return elsewhere;
    }

    private static boolean from(Sender link, String node) {
        return link.getRemoteSource() instanceof Source source && node.equalsIgnoreCase(source.getAddress());
    }

    private static boolean addressedBy(Sender link, String replyTo) {
        if (replyTo == null) {
            return false;
        }
        String target = link.getRemoteTarget() instanceof Target t ? t.getAddress() : null;
        return replyTo.equals(target) || replyTo.equals(link.getName());
    }
}
