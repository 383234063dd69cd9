package io.xregion.servicebus;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusSenderAsyncClient;
import io.opentelemetry.api.trace.Span;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.azure.servicebus.CredentialType;
import org.apache.camel.component.azure.servicebus.ServiceBusComponent;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.component.azure.servicebus.ServiceBusEndpoint;
import org.apache.camel.support.DefaultAsyncProducer;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * camel-azure-servicebus for one namespace, with xregion's own producer and consumer ({@link SettlingServiceBusConsumer}:
 * any producer's message, and a dead-letter with a reason). Endpoints, options and clients are the stock component's;
 * one instance is registered per namespace ({@code azure-servicebus-<namespace>}),
 * configured with that namespace's connection string and send budget, so no secret appears in a route or an endpoint
 * URI.
 *
 * <p>Workaround for a limit of camel-azure-servicebus (checked with Camel 4.17.0): its producer builds every message
 * with {@code ServiceBusUtils.createServiceBusMessage(body, applicationProperties, correlationId, sessionId)} and so
 * never sets a MessageId ({@code CamelAzureServiceBusMessageId} is a consumer header only there). Active replication
 * and the receivers' duplicate elimination need the same MessageId on both copies, so this producer sends the
 * message itself, with the MessageId from that header and the content type from {@code Content-Type}.
 * {@code MessageIdServiceBusComponentTest} fails when an upgrade changes either side of this: when the stock producer
 * starts keeping the MessageId (then this producer may go), or when the stock option configurer this component
 * borrows stops taking the options the routes give.
 *
 * <p>The producer also says what each send did: it records the namespace's outcome ({@link SendOutcomeRecorder}) and
 * throws what the routes act on, {@link NamespaceUnavailableException} for an outage and
 * {@link SendRefusedException} for a refusal, so a route sends to a namespace with a plain {@code to}. It is
 * asynchronous, on the SDK's asynchronous sender ({@link SenderClients}), so a namespace that stops answering holds
 * no thread, and it keeps each namespace's sends in flight under a bound of their own. While tracing is on, each
 * send is a span whose context the message carries in its application properties ({@link ServiceBusTracing}).
 */
// the stock scheme name: Camel finds the component's and endpoint's option configurers by it
@org.apache.camel.spi.annotations.Component("azure-servicebus")
public final class MessageIdServiceBusComponent extends ServiceBusComponent {

    private final String namespace;
    private final String host;
    private final SendOutcomeRecorder outcomes;
    // the namespace's bulkhead: shared by every endpoint of this namespace
    private final Semaphore inFlight;

    /** @param maxInFlight the most sends to this namespace that may wait for its answer at once */
    MessageIdServiceBusComponent(String namespace, SendOutcomeRecorder outcomes, int maxInFlight) {
        this(namespace, null, outcomes, maxInFlight);
    }

    /** @param host the namespace's host name, which its spans name ({@code server.address}) */
    MessageIdServiceBusComponent(String namespace, String host, SendOutcomeRecorder outcomes, int maxInFlight) {
        this.namespace = namespace;
        this.host = host;
        this.outcomes = outcomes;
        this.inFlight = new Semaphore(maxInFlight);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("A queue or topic name must be specified.");
        }
        ServiceBusConfiguration configuration = getConfiguration() != null ? getConfiguration().copy()
                : new ServiceBusConfiguration();
        configuration.setTopicOrQueueName(remaining);
        ServiceBusEndpoint endpoint = new MessageIdEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        if (endpoint.getConfiguration().getTokenCredential() == null
                && endpoint.getConfiguration().getCredentialType() == null) {
            endpoint.getConfiguration().setCredentialType(CredentialType.CONNECTION_STRING);
        }
        return endpoint;
    }

    /** The stock endpoint with a producer that keeps the MessageId and a consumer that settles by outcome. */
    static final class MessageIdEndpoint extends ServiceBusEndpoint {
        MessageIdEndpoint(String uri, MessageIdServiceBusComponent component, ServiceBusConfiguration configuration) {
            super(uri, component, configuration);
        }

        @Override
        public MessageIdServiceBusComponent getComponent() {
            return (MessageIdServiceBusComponent) super.getComponent();
        }

        /** The consumer that reads any producer's message and dead-letters one that can never be processed. */
        @Override
        public Consumer createConsumer(Processor processor) throws Exception {
            Consumer consumer = new SettlingServiceBusConsumer(this, processor, getComponent().namespace,
                    getComponent().host);
            configureConsumer(consumer);
            return consumer;
        }

        @Override
        public Producer createProducer() {
            return new MessageIdProducer(this, getComponent().namespace, getComponent().host,
                    getComponent().outcomes, getComponent().inFlight);
        }
    }

    /**
     * Sends the body as one message, with MessageId, content type and correlation id from the headers, and records
     * the namespace's outcome. Asynchronous: no thread waits on the namespace, and at most the namespace's
     * {@code max-in-flight} sends wait at once (its bulkhead); a copy beyond that is skipped at once rather than
     * queued behind a namespace that stopped answering.
     */
    static final class MessageIdProducer extends DefaultAsyncProducer {
        private final String namespace;
        private final String host;
        private final SendOutcomeRecorder outcomes;
        private final Semaphore inFlight;
        private ServiceBusSenderAsyncClient client;
        private ServiceBusTracing tracing = ServiceBusTracing.OFF;

        MessageIdProducer(MessageIdEndpoint endpoint, String namespace, String host, SendOutcomeRecorder outcomes,
                Semaphore inFlight) {
            super(endpoint);
            this.namespace = namespace;
            this.host = host;
            this.outcomes = outcomes;
            this.inFlight = inFlight;
        }

        @Override
        public MessageIdEndpoint getEndpoint() {
            return (MessageIdEndpoint) super.getEndpoint();
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            client = SenderClients.asynchronous(getEndpoint().getConfiguration());
            tracing = ServiceBusTracing.of(getEndpoint().getCamelContext());
        }

        @Override
        protected void doStop() throws Exception {
            if (client != null) {
                client.close();
            }
            super.doStop();
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            Span span = startSpan(exchange.getMessage());
            if (!inFlight.tryAcquire()) {
                exchange.setException(outcomes.busy(exchange, namespace));
                tracing.endSend(span, "skipped", null);
                callback.done(true);
                return true;
            }
            Mono<Void> send;
            try {
                send = send(exchange.getMessage(), span);
            } catch (RuntimeException e) {
                inFlight.release();
                exchange.setException(outcomes.failed(exchange, namespace, e));
                tracing.endSend(span, outcome(e), e);
                callback.done(true);
                return true;
            }
            // the SDK signals on its own threads; what follows the send must not run on them
            send.publishOn(Schedulers.boundedElastic()).subscribe(null, error -> {
                inFlight.release();
                Exception failure = asException(error);
                exchange.setException(outcomes.failed(exchange, namespace, failure));
                tracing.endSend(span, outcome(failure), failure);
                callback.done(false);
            }, () -> {
                inFlight.release();
                outcomes.accepted(exchange, namespace);
                tracing.endSend(span, "accepted", null);
                callback.done(false);
            });
            return false;
        }

        /** The copy's send span: a child of the span the calling thread is in (the send route's). */
        private Span startSpan(org.apache.camel.Message in) {
            if (!tracing.on()) {
                return Span.getInvalid();
            }
            String entity = getEndpoint().getConfiguration().getTopicOrQueueName();
            return in.getBody() instanceof List<?> list && !list.isEmpty()
                    && list.stream().allMatch(OutgoingMessage.class::isInstance)
                            ? tracing.startSend(namespace, host, entity, null, list.size())
                            : tracing.startSend(namespace, host, entity,
                                    in.getHeader(ServiceBusConstants.MESSAGE_ID, String.class), 1);
        }

        private static String outcome(Exception failure) {
            return OutageClassifier.classify(failure) == OutageClassifier.Kind.OUTAGE ? "unavailable" : "refused";
        }

        private static Exception asException(Throwable error) {
            return error instanceof Exception e ? e : new IllegalStateException(error);
        }

        private Mono<Void> send(org.apache.camel.Message in, Span span) {
            if (in.getBody() instanceof List<?> list && !list.isEmpty()
                    && list.stream().allMatch(OutgoingMessage.class::isInstance)) {
                List<ServiceBusMessage> messages = list.stream().map(OutgoingMessage.class::cast)
                        .map(MessageIdProducer::message).toList();
                // no creation context of their own: each carries the batch's send span, as the conventions ask
                messages.forEach(m -> tracing.inject(span, m.getApplicationProperties()));
                return client.createMessageBatch().flatMap(batch -> sendInOrder(batch, messages, 0));
            }
            byte[] body = in.getBody(byte[].class);
            ServiceBusMessage message = message(in.getHeader(ServiceBusConstants.MESSAGE_ID, String.class),
                    in.getHeader(Exchange.CONTENT_TYPE, String.class), body);
            String correlationId = in.getHeader(ServiceBusConstants.CORRELATION_ID, String.class);
            if (correlationId != null) {
                message.setCorrelationId(correlationId);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> properties = in.getHeader(ServiceBusConstants.APPLICATION_PROPERTIES, Map.class);
            if (properties != null) {
                message.getApplicationProperties().putAll(properties);
            }
            tracing.inject(span, message.getApplicationProperties());
            return client.sendMessage(message);
        }

        /**
         * Sends the messages from {@code from} on in as few calls as the namespace's batch size allows, in order. A
         * failure part-way leaves the caller to send them all again: the same MessageIds make the repeats harmless
         * downstream.
         */
        private Mono<Void> sendInOrder(ServiceBusMessageBatch batch, List<ServiceBusMessage> messages, int from) {
            int next = from;
            while (next < messages.size() && batch.tryAddMessage(messages.get(next))) {
                next++;
            }
            if (next == from) {
                return Mono.error(new AmqpException(false, AmqpErrorCondition.LINK_PAYLOAD_SIZE_EXCEEDED,
                        "message " + messages.get(from).getMessageId() + " is larger than a batch can carry", null));
            }
            Mono<Void> sent = client.sendMessages(batch);
            if (next == messages.size()) {
                return sent;
            }
            int rest = next;
            return sent.then(client.createMessageBatch()).flatMap(more -> sendInOrder(more, messages, rest));
        }

        private static ServiceBusMessage message(OutgoingMessage outgoing) {
            ServiceBusMessage message = message(outgoing.messageId(), outgoing.contentType(), outgoing.body());
            if (outgoing.acceptedAtMillis() >= 0) {
                message.getApplicationProperties().put(AcceptedAt.PROPERTY, outgoing.acceptedAtMillis());
            }
            return message;
        }

        private static ServiceBusMessage message(String messageId, String contentType, byte[] body) {
            ServiceBusMessage message = new ServiceBusMessage(BinaryData.fromBytes(body == null ? new byte[0] : body));
            if (messageId != null) {
                message.setMessageId(messageId);
            }
            if (contentType != null) {
                message.setContentType(contentType);
            }
            return message;
        }
    }
}
