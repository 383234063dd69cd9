package io.xregion.emulator.servicebus;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.BaseHandler;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.SslDomain;
import org.apache.qpid.proton.engine.impl.TransportImpl;
import org.apache.qpid.proton.message.Message;
import org.apache.qpid.proton.reactor.Selectable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.emulator.security.AccessKeyTokens;
import io.xregion.emulator.security.EntraTokens;

/**
 * The AMQP side of a namespace, on the reactor thread: links, transfers, dispositions, and the {@code $cbs} and
 * {@code $management} request/response nodes.
 */
final class AmqpHandler extends BaseHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpHandler.class);
    private static final Symbol DEAD_LETTER = Symbol.valueOf("com.microsoft:dead-letter");
    private static final Symbol LOCK_LOST = Symbol.valueOf("com.microsoft:message-lock-lost");
    private static final Symbol NOT_FOUND = Symbol.valueOf("amqp:not-found");
    private static final Symbol UNAUTHORIZED = Symbol.valueOf("amqp:unauthorized-access");
    private static final Symbol TOO_LARGE = Symbol.valueOf("amqp:link:message-size-exceeded");
    private static final String MANAGEMENT = "/$management";
    private static final int CREDIT = 500;

    /** A PEEK_LOCK delivery on its way to a receiver. */
    private record InFlight(MessageEntity entity, UUID token) {
    }

    private final ServiceBusEmulatorOptions options;
    private final Entities entities;
    private final Supplier<ErrorCondition> rejection;
    private final AtomicLong sequence = new AtomicLong();
    private final ManagementNode management;
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final ReceiverRotation consumers = new ReceiverRotation();
    private final Map<Delivery, InFlight> inFlight = new HashMap<>();
    /** Entity paths each connection has put a valid token for (per CBS, a token authorises one audience). */
    private final Map<Connection, Set<String>> authorised = new HashMap<>();
    /** Entra tokens of the configured issuer, or null when the namespace takes SAS tokens only. */
    private final EntraTokens entra;
    /** The TLS server side, or null for plain AMQP only. */
    private final SSLContext tls;
    private final NetworkPartition partition;

    AmqpHandler(ServiceBusEmulatorOptions options, Entities entities, Supplier<ErrorCondition> rejection,
            NetworkPartition partition) {
        this.options = options;
        this.entities = entities;
        this.rejection = rejection;
        this.partition = partition;
        this.management = new ManagementNode(entities, options.lockDuration());
        this.entra = options.entra() == null ? null
                : new EntraTokens(options.entra(), EntraTokens.SERVICEBUS_AUDIENCE);
        this.tls = options.tls() == null ? null : options.tls().serverContext();
    }

    List<Connection> connections() {
        return new ArrayList<>(connections);
    }

    /** How many receivers are attached to the entity at this path. */
    int receivers(String path) {
        MessageEntity entity = entities.readable(path);
        return entity == null ? 0 : consumers.receivers(entity).size();
    }

    // ---- connections and sessions

    @Override
    public void onConnectionBound(Event event) {
        // before the selector first looks at the socket: a connection accepted during a partition never says a word
        partition.accepted(event.getConnection());
        if (tls != null) {
            // before the transport reads a byte: proton-j then tells a TLS client hello from plain AMQP by its first
            // bytes, so one port serves Entra clients (always TLS) and UseDevelopmentEmulator ones (plain)
            SslDomain domain = Proton.sslDomain();
            domain.init(SslDomain.Mode.SERVER);
            domain.setSslContext(tls);
            domain.setPeerAuthentication(SslDomain.VerifyMode.ANONYMOUS_PEER);
            domain.allowUnsecuredClient(true);
            event.getTransport().ssl(domain);
        }
        Selectable selectable = ((TransportImpl) event.getTransport()).getSelectable();
        if (selectable != null && selectable.getChannel() instanceof SocketChannel socket) {
            try {
                // proton-j leaves Nagle on: a small frame (a flow, a disposition) would wait for the peer's delayed
                // ack, some 40 ms, in every request/response exchange
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                LOG.debug("[{}] cannot set TCP_NODELAY: {}", options.name(), e.getMessage());
            }
        }
    }

    @Override
    public void onConnectionRemoteOpen(Event event) {
        Connection connection = event.getConnection();
        connections.add(connection);
        connection.setContainer("xregion-servicebus-emulator-" + options.name());
        connection.open();
    }

    @Override
    public void onConnectionRemoteClose(Event event) {
        forget(event.getConnection());
        connections.remove(event.getConnection());
        event.getConnection().close();
    }

    @Override
    public void onTransportClosed(Event event) {
        Connection connection = event.getConnection();
        if (connection != null) {
            forget(connection);
            connections.remove(connection);
            // lets the reactor forget the connection (it is one of its children until freed)
            connection.free();
        }
    }

    @Override
    public void onSessionRemoteOpen(Event event) {
        event.getSession().open();
    }

    @Override
    public void onSessionRemoteClose(Event event) {
        event.getSession().close();
    }

    // ---- links

    @Override
    public void onLinkRemoteOpen(Event event) {
        Link link = event.getLink();
        link.setSource(link.getRemoteSource());
        link.setTarget(link.getRemoteTarget());
        link.setSenderSettleMode(link.getRemoteSenderSettleMode());
        link.setReceiverSettleMode(link.getRemoteReceiverSettleMode());
        if (link instanceof Receiver receiver) {
            String address = link.getRemoteTarget() instanceof Target t ? t.getAddress() : null;
            if (address == null || !isControl(address) && !entities.sendable(address)) {
                refuse(link, NOT_FOUND, "The messaging entity '" + address + "' could not be found");
                return;
            }
            // the SDK treats a missing max-message-size as 0 bytes and refuses every send
            receiver.setMaxMessageSize(UnsignedLong.valueOf(options.maxMessageBytes()));
            receiver.open();
            receiver.flow(CREDIT);
        } else {
            Sender sender = (Sender) link;
            Source source = link.getRemoteSource() instanceof Source s ? s : null;
            String address = source == null ? null : source.getAddress();
            if (address == null || !isControl(address) && entities.readable(address) == null) {
                refuse(link, NOT_FOUND, "The messaging entity '" + address + "' could not be found");
                return;
            }
            if (source.getFilter() != null && source.getFilter().containsKey(Unsupported.SESSION_FILTER)) {
                refuse(link, Unsupported.NOT_IMPLEMENTED,
                        Unsupported.sessionReceiver(address, source.getFilter().get(Unsupported.SESSION_FILTER)));
                return;
            }
            sender.open();
            if (!isControl(address)) {
                consumers.add(entities.readable(address), sender);
            }
        }
    }

    @Override
    public void onLinkRemoteClose(Event event) {
        Link link = event.getLink();
        if (link instanceof Sender sender && consumers.remove(sender) != null) {
            forgetLink(sender);
        }
        link.close();
    }

    @Override
    public void onLinkRemoteDetach(Event event) {
        onLinkRemoteClose(event);
    }

    @Override
    public void onLinkFlow(Event event) {
        if (event.getLink() instanceof Sender sender && consumers.entityOf(sender) != null) {
            pump(consumers.entityOf(sender));
        }
    }

    private static boolean isControl(String address) {
        return address.equals("$cbs") || address.endsWith(MANAGEMENT);
    }

    private static void refuse(Link link, Symbol condition, String description) {
        link.setSource(null);
        link.setTarget(null);
        link.open();
        link.setCondition(new ErrorCondition(condition, description));
        link.close();
    }

    // ---- transfers

    @Override
    public void onDelivery(Event event) {
        Delivery delivery = event.getDelivery();
        if (delivery.getLink() instanceof Receiver receiver) {
            received(delivery, receiver);
        } else {
            settledByConsumer(delivery);
        }
    }

    private void received(Delivery delivery, Receiver receiver) {
        if (delivery.isPartial() || !delivery.isReadable()) {
            return;
        }
        byte[] bytes = new byte[delivery.pending()];
        int length = receiver.recv(bytes, 0, bytes.length);
        receiver.advance();
        if (receiver.getCredit() < CREDIT / 5) {
            receiver.flow(CREDIT);
        }
        String address = ((Target) receiver.getTarget()).getAddress();
        if (isControl(address)) {
            Message request = AmqpCodec.decode(bytes, length);
            Reply reply = address.equals("$cbs") ? putToken(receiver, request)
                    : management.answer(address.substring(0, address.length() - MANAGEMENT.length()), request);
            settle(delivery, Accepted.getInstance());
            if (!reply.sendFor(receiver, request)) {
                LOG.debug("[{}] no reply link on {} for reply-to {}", options.name(), address, request.getReplyTo());
            }
            return;
        }
        Connection connection = receiver.getSession().getConnection();
        if (!authorised.getOrDefault(connection, Set.of()).contains(Entities.normalize(address))) {
            settle(delivery, rejected(UNAUTHORIZED, "No valid token was put for '" + address + "'"));
            return;
        }
        ErrorCondition refusal = rejection.get();
        if (refusal != null) {
            settle(delivery, rejected(refusal.getCondition(), refusal.getDescription()));
            return;
        }
        if (length > options.maxMessageBytes()) {
            settle(delivery, rejected(TOO_LARGE, "The message is larger than " + options.maxMessageBytes() + " bytes"));
            return;
        }
        List<Message> messages = delivery.getMessageFormat() == AmqpCodec.BATCH_FORMAT
                ? AmqpCodec.decodeBatch(bytes, length) : List.of(AmqpCodec.decode(bytes, length));
        List<MessageEntity> destinations = entities.destinations(address);
        synchronized (entities) {
            for (Message message : messages) {
                long sequenceNumber = sequence.incrementAndGet();
                Date now = new Date();
                byte[] encoded = destinations.size() > 1 ? AmqpCodec.encode(message) : null;
                for (MessageEntity destination : destinations) {
                    // each subscription gets its own copy: dead-lettering one must not touch the others
                    Message copy = encoded == null ? message : AmqpCodec.decode(encoded, encoded.length);
                    destination.add(new StoredMessage(copy, sequenceNumber, now));
                }
            }
        }
        settle(delivery, Accepted.getInstance());
        destinations.forEach(this::pump);
    }

    /**
     * Sends waiting messages to the entity's receivers with credit, one message at a time and each receiver in turn,
     * then answers the receivers that asked to drain their credit.
     */
    private void pump(MessageEntity entity) {
        if (entity == null) {
            return;
        }
        while (waiting(entity)) {
            Sender sender = consumers.next(entity, s -> s.getLocalState() == EndpointState.ACTIVE && s.getCredit() > 0);
            if (sender == null) {
                break;
            }
            deliver(entity, sender);
        }
        if (!waiting(entity)) {
            // nothing left: a receiver that asked to drain (the JavaScript SDK at the end of receiveMessages) gets its
            // unused credit back now, or it closes its link after a timeout
            for (Sender sender : consumers.receivers(entity)) {
                if (sender.getDrain() && sender.getCredit() > 0) {
                    sender.drained();
                }
            }
        }
    }

    private boolean waiting(MessageEntity entity) {
        synchronized (entities) {
            return entity.depth() > 0;
        }
    }

    private void deliver(MessageEntity entity, Sender sender) {
        boolean receiveAndDelete = sender.getRemoteSenderSettleMode() == SenderSettleMode.SETTLED;
        StoredMessage stored;
        MessageEntity.Lock lock = null;
        synchronized (entities) {
            stored = entity.poll();
            if (stored == null) {
                return;
            }
            if (!receiveAndDelete) {
                lock = entity.lock(stored, System.currentTimeMillis() + options.lockDuration().toMillis());
            }
        }
        UUID token = lock == null ? UUID.randomUUID() : lock.token;
        byte[] encoded = AmqpCodec.encode(stored.annotated(lock == null ? null : new Date(lock.lockedUntilMillis)));
        stored.deliveryCount++;
        Delivery delivery = sender.delivery(AmqpCodec.lockTokenTag(token));
        sender.send(encoded, 0, encoded.length);
        if (receiveAndDelete) {
            delivery.settle();
        } else {
            inFlight.put(delivery, new InFlight(entity, token));
        }
        sender.advance();
    }

    /**
     * A receiver settled a PEEK_LOCK delivery. The SDK waits for the same outcome back (rcv-settle-mode second); a
     * lock that expired meanwhile answers message-lock-lost instead.
     */
    private void settledByConsumer(Delivery delivery) {
        DeliveryState outcome = delivery.getRemoteState();
        InFlight sent = inFlight.get(delivery);
        if (sent == null || outcome == null) {
            if (delivery.remotelySettled()) {
                inFlight.remove(delivery);
                delivery.settle();
            }
            return;
        }
        inFlight.remove(delivery);
        if (outcome instanceof Modified modified && Boolean.TRUE.equals(modified.getUndeliverableHere())) {
            // defer: refused, and the message stays locked as after any failed settlement
            delivery.disposition(rejected(Unsupported.NOT_IMPLEMENTED, Unsupported.deferral()));
            delivery.settle();
            return;
        }
        MessageEntity.Lock lock;
        synchronized (entities) {
            lock = sent.entity().unlock(sent.token());
            if (lock != null) {
                apply(sent.entity(), lock.message, outcome);
            }
        }
        if (lock == null) {
            delivery.disposition(rejected(LOCK_LOST, "The lock supplied is invalid: it expired or was already used"));
        } else if (outcome instanceof Rejected) {
            // dead-lettered. The same outcome, but without the client's dead-letter condition: the JavaScript SDK
            // takes any error in the answer for a failed settlement
            delivery.disposition(new Rejected());
        } else {
            delivery.disposition(outcome);
        }
        delivery.settle();
        pump(sent.entity());
    }

    private void apply(MessageEntity entity, StoredMessage message, DeliveryState outcome) {
        if (outcome instanceof Accepted) {
            return;
        }
        if (outcome instanceof Rejected rejected) {
            ErrorCondition error = rejected.getError();
            Map<String, Object> reason = new HashMap<>();
            if (error != null && DEAD_LETTER.equals(error.getCondition()) && error.getInfo() != null) {
                error.getInfo().forEach((k, v) -> reason.put(String.valueOf(k), v));
            }
            deadLetter(entity, message, reason);
        } else if (outcome instanceof Released) {
            message.deliveryCount = Math.max(0, message.deliveryCount - 1);
            entity.returnToFront(message);
        } else if (outcome instanceof Modified modified) {
            // abandon; the annotations update properties
            if (modified.getMessageAnnotations() != null) {
                Map<String, Object> properties = applicationProperties(message.message);
                modified.getMessageAnnotations().forEach((k, v) -> properties.put(String.valueOf(k), v));
                message.message.setApplicationProperties(new ApplicationProperties(properties));
            }
            redeliverOrDeadLetter(entity, message);
        }
    }

    private void redeliverOrDeadLetter(MessageEntity entity, StoredMessage message) {
        if (message.deliveryCount >= options.maxDeliveryCount()) {
            deadLetter(entity, message, Map.of("DeadLetterReason", "MaxDeliveryCountExceeded",
                    "DeadLetterErrorDescription", "Message could not be consumed after " + options.maxDeliveryCount()
                            + " delivery attempts."));
        } else {
            entity.returnToFront(message);
        }
    }

    private static void deadLetter(MessageEntity entity, StoredMessage message, Map<String, Object> reason) {
        if (entity.deadLetters == null) {
            return;
        }
        Map<String, Object> properties = applicationProperties(message.message);
        properties.putAll(reason);
        message.message.setApplicationProperties(new ApplicationProperties(properties));
        entity.deadLetters.add(message);
    }

    private static Map<String, Object> applicationProperties(Message message) {
        return message.getApplicationProperties() == null ? new HashMap<>()
                : new HashMap<>(message.getApplicationProperties().getValue());
    }

    /** Locks that ran out put their messages back (or in the dead-letter sub-queue). */
    void expireLocks() {
        long now = System.currentTimeMillis();
        List<MessageEntity> touched = new ArrayList<>();
        synchronized (entities) {
            for (MessageEntity entity : entities.allReadable()) {
                for (MessageEntity.Lock lock : entity.expire(now)) {
                    redeliverOrDeadLetter(entity, lock.message);
                    touched.add(entity);
                }
            }
        }
        touched.forEach(this::pump);
    }

    /**
     * A receiver went away (its link detached, its connection closed or dropped, its process killed): what it held
     * stays locked until the lock expires, as in Service Bus, where the messages of a receiver that crashed become
     * available again when their lock times out (Microsoft Learn, "Service Bus queues, topics, and subscriptions",
     * receive modes). Its deliveries can no longer be settled on a link; a renewal through $management still reaches
     * the lock by its token.
     */
    private void forgetLink(Sender sender) {
        inFlight.keySet().removeIf(delivery -> delivery.getLink() == sender);
    }

    private void forget(Connection connection) {
        for (Sender sender : consumers.all()) {
            if (sender.getSession().getConnection() == connection) {
                consumers.remove(sender);
                forgetLink(sender);
            }
        }
        authorised.remove(connection);
    }

    /**
     * The namespace goes down (the control API's fault): its receivers are cut off and what they held locked is
     * released at once, so the copies wait, unlocked, for the namespace to come back.
     */
    void release(Connection connection) {
        for (Sender sender : consumers.all()) {
            if (sender.getSession().getConnection() == connection) {
                consumers.remove(sender);
                releaseLink(sender);
            }
        }
        authorised.remove(connection);
    }

    private void releaseLink(Sender sender) {
        List<MessageEntity> touched = new ArrayList<>();
        for (Map.Entry<Delivery, InFlight> entry : new ArrayList<>(inFlight.entrySet())) {
            if (entry.getKey().getLink() == sender) {
                inFlight.remove(entry.getKey());
                InFlight sent = entry.getValue();
                synchronized (entities) {
                    MessageEntity.Lock lock = sent.entity().unlock(sent.token());
                    if (lock != null) {
                        redeliverOrDeadLetter(sent.entity(), lock.message);
                        touched.add(sent.entity());
                    }
                }
            }
        }
        touched.forEach(this::pump);
    }

    private static Rejected rejected(Symbol condition, String description) {
        Rejected rejected = new Rejected();
        rejected.setError(new ErrorCondition(condition, description));
        return rejected;
    }

    private static void settle(Delivery delivery, DeliveryState state) {
        delivery.disposition(state);
        delivery.settle();
    }

    // ---- $cbs

    /** A put-token request: the token authorises its audience (one entity path) on this connection. */
    private Reply putToken(Receiver link, Message request) {
        Map<?, ?> properties = request.getApplicationProperties() == null ? Map.of()
                : request.getApplicationProperties().getValue();
        String audience = String.valueOf(properties.get("name"));
        String token = request.getBody() instanceof AmqpValue value ? String.valueOf(value.getValue()) : null;
        String problem = tokenProblem(String.valueOf(properties.get("type")), token, audience);
        if (problem != null) {
            LOG.debug("[{}] put-token for {} refused: {}", options.name(), audience, problem);
            return Reply.error(401, UNAUTHORIZED, problem);
        }
        // the audience is amqp://<host>/<entity path> (sb://<host>:<port>/<entity path> from JavaScript)
        String path = audience.replaceFirst("^[a-z]+://[^/]+/?", "");
        authorised.computeIfAbsent(link.getSession().getConnection(), c -> new LinkedHashSet<>())
                .add(Entities.normalize(path));
        return Reply.ok(null);
    }

    /**
     * Null when the token authorises the audience, else why not. The SDKs say which kind they put: {@code jwt} for a
     * Microsoft Entra ID token (azure-core-amqp's CbsAuthorizationType.JSON_WEB_TOKEN), otherwise a shared access
     * signature ({@code servicebus.windows.net:sastoken}).
     */
    private String tokenProblem(String type, String token, String audience) {
        if (type.equals("jwt")) {
            if (entra == null) {
                return "Microsoft Entra ID tokens are not accepted by this namespace";
            }
            try {
                // the JWKS is cached; a cold cache costs one loopback fetch (2 s at most) on the reactor thread
                entra.verify(token == null ? "" : token);
                return null;
            } catch (AccessKeyTokens.InvalidTokenException e) {
                return "the token is not valid: " + e.getMessage();
            }
        }
        if (!options.localAuth()) {
            return "Local authentication is disabled for this namespace; use a Microsoft Entra ID token";
        }
        return SasToken.problem(token, options.keyName(), options.key(), audience, System.currentTimeMillis() / 1000);
    }
}
