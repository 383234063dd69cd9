package io.xregion.servicebus;

import java.util.List;
import java.util.Map;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.component.azure.servicebus.CredentialType;
import org.apache.camel.component.azure.servicebus.ServiceBusComponent;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.component.azure.servicebus.ServiceBusEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * camel-azure-servicebus with the one thing its 4.17 producer leaves out: the sent message's MessageId (from the
 * {@code CamelAzureServiceBusMessageId} header), which active replication and the receivers' duplicate elimination
 * depend on, and its content type (from {@code Content-Type}). Endpoints, options, clients and the consumer are the
 * stock component's. One instance is registered per namespace, configured with that namespace's connection string
 * and send budget, so no secret appears in a route or an endpoint URI.
 */
// the stock scheme name: Camel finds the component's and endpoint's option configurers by it
@org.apache.camel.spi.annotations.Component("azure-servicebus")
public final class MessageIdServiceBusComponent extends ServiceBusComponent {

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

    /** The stock endpoint with a producer that keeps the MessageId. */
    static final class MessageIdEndpoint extends ServiceBusEndpoint {
        MessageIdEndpoint(String uri, MessageIdServiceBusComponent component, ServiceBusConfiguration configuration) {
            super(uri, component, configuration);
        }

        @Override
        public Producer createProducer() {
            return new MessageIdProducer(this);
        }
    }

    /** Sends the body as one message, with MessageId, content type and correlation id from the headers. */
    static final class MessageIdProducer extends DefaultProducer {
        private ServiceBusSenderClient client;

        MessageIdProducer(MessageIdEndpoint endpoint) {
            super(endpoint);
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
            org.apache.camel.Message in = exchange.getMessage();
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
