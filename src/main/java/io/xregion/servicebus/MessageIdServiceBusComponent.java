package io.xregion.servicebus;

import java.util.List;
import java.util.Map;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
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
import org.apache.camel.support.DefaultProducer;

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
 * {@link SendRefusedException} for a refusal, so a route sends to a namespace with a plain {@code to}.
 */
// the stock scheme name: Camel finds the component's and endpoint's option configurers by it
@org.apache.camel.spi.annotations.Component("azure-servicebus")
public final class MessageIdServiceBusComponent extends ServiceBusComponent {

    private final String namespace;
    private final SendOutcomeRecorder outcomes;

    MessageIdServiceBusComponent(String namespace, SendOutcomeRecorder outcomes) {
        this.namespace = namespace;
        this.outcomes = outcomes;
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
            Consumer consumer = new SettlingServiceBusConsumer(this, processor, getComponent().namespace);
            configureConsumer(consumer);
            return consumer;
        }

        @Override
        public Producer createProducer() {
            return new MessageIdProducer(this, getComponent().namespace, getComponent().outcomes);
        }
    }

    /**
     * Sends the body as one message, with MessageId, content type and correlation id from the headers, and records
     * the namespace's outcome.
     */
    static final class MessageIdProducer extends DefaultProducer {
        private final String namespace;
        private final SendOutcomeRecorder outcomes;
        private ServiceBusSenderClient client;

        MessageIdProducer(MessageIdEndpoint endpoint, String namespace, SendOutcomeRecorder outcomes) {
            super(endpoint);
            this.namespace = namespace;
            this.outcomes = outcomes;
        }

        @Override
        public MessageIdEndpoint getEndpoint() {
            return (MessageIdEndpoint) super.getEndpoint();
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            ServiceBusConfiguration configuration = getEndpoint().getConfiguration();
            client = configuration.getSenderClient() != null ? configuration.getSenderClient()
                    : getEndpoint().getServiceBusClientFactory().createServiceBusSenderClient(configuration);
        }

        @Override
        protected void doStop() throws Exception {
            if (client != null && getEndpoint().getConfiguration().getSenderClient() == null) {
                client.close();
            }
            super.doStop();
        }

        @Override
        public void process(Exchange exchange) {
            try {
                send(exchange.getMessage());
            } catch (RuntimeException e) {
                throw outcomes.failed(exchange, namespace, e);
            }
            outcomes.accepted(exchange, namespace);
        }

        private void send(org.apache.camel.Message in) {
            if (in.getBody() instanceof List<?> list && !list.isEmpty()
                    && list.stream().allMatch(OutgoingMessage.class::isInstance)) {
                sendInOrder(list.stream().map(OutgoingMessage.class::cast).toList());
                return;
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
            client.sendMessage(message);
        }

        /**
         * Sends the messages in as few calls as the namespace's batch size allows, in order. A failure part-way
         * leaves the caller to send them all again: the same MessageIds make the repeats harmless downstream.
         */
        private void sendInOrder(List<OutgoingMessage> messages) {
            ServiceBusMessageBatch batch = client.createMessageBatch();
            for (OutgoingMessage outgoing : messages) {
                ServiceBusMessage message = message(outgoing.messageId(), outgoing.contentType(), outgoing.body());
                if (batch.tryAddMessage(message)) {
                    continue;
                }
                if (batch.getCount() > 0) {
                    client.sendMessages(batch);
                    batch = client.createMessageBatch();
                }
                if (!batch.tryAddMessage(message)) {
                    throw new AmqpException(false, AmqpErrorCondition.LINK_PAYLOAD_SIZE_EXCEEDED,
                            "message " + outgoing.messageId() + " is larger than a batch can carry", null);
                }
            }
            if (batch.getCount() > 0) {
                client.sendMessages(batch);
            }
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
