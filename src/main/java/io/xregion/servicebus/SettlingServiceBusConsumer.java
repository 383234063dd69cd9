package io.xregion.servicebus;

import java.util.Map;
import java.util.stream.Collectors;

import com.azure.core.amqp.models.AmqpMessageBody;
import com.azure.messaging.servicebus.ServiceBusErrorContext;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessageContext;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.component.azure.servicebus.ServiceBusEndpoint;
import org.apache.camel.component.azure.servicebus.ServiceBusType;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * camel-azure-servicebus's consumer, with the headers and options of the stock one, that takes any producer's message
 * and settles each by what the route made of it: completed when the exchange succeeds, dead-lettered at once with
 * the reason and description of an {@link UnprocessableMessageException} (the message's own fault), abandoned on any
 * other failure (so Service Bus delivers it again, as before).
 *
 * <p>Workaround for two limits of camel-azure-servicebus 4.17.0's {@code ServiceBusConsumer} (with
 * azure-messaging-servicebus 7.17.16):
 * <ul>
 * <li>It sets the body with {@code ServiceBusReceivedMessage.getBody()}, which throws for an AMQP value or sequence
 * body; the message then never reaches a route, is not settled, and comes back each time its lock runs out until the
 * broker dead-letters it after the maximum delivery count. Here the body is the section's content (a data section's
 * bytes as BinaryData, as before; a value; a sequence's items), and {@link ReceivedMessages} reads any of them.</li>
 * <li>A route cannot choose the settlement: on failure it abandons, or, with {@code enableDeadLettering}, dead-letters
 * every failure (a passing outage too) with the exception's class as the reason and its stack trace as the
 * description.</li>
 * </ul>
 * {@code StockServiceBusConsumerLimitsTest} fails when an upgrade lifts either limit; this class may then go.
 *
 * <p>A settlement that fails (the lock lost, the receiver closed meanwhile) is one WARN line: the broker delivers the
 * message again when its lock runs out, and it is settled then.
 *
 * <p>While tracing is on, each delivery is a process span continuing the message's trace context, ended when the
 * message is settled, with whether it was a duplicate and how it was settled ({@link ServiceBusTracing}).
 */
final class SettlingServiceBusConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.servicebus");

    private final String namespace;
    private final String host;
    private ServiceBusProcessorClient client;
    private ServiceBusTracing tracing = ServiceBusTracing.OFF;
    private ReplicationLag replicationLag;

    /** @param host the namespace's host name, which its spans name */
    SettlingServiceBusConsumer(ServiceBusEndpoint endpoint, Processor processor, String namespace, String host) {
        super(endpoint, processor);
        this.namespace = namespace;
        this.host = host;
    }

    @Override
    public ServiceBusEndpoint getEndpoint() {
        return (ServiceBusEndpoint) super.getEndpoint();
    }

    private ServiceBusConfiguration configuration() {
        return getEndpoint().getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        tracing = ServiceBusTracing.of(getEndpoint().getCamelContext());
        // none outside the app (a route test's context without the bean)
        replicationLag = getEndpoint().getCamelContext().getRegistry().lookupByNameAndType("replicationLag",
                ReplicationLag.class);
        client = configuration().getProcessorClient();
        if (client == null) {
            var factory = getEndpoint().getServiceBusClientFactory();
            client = Boolean.TRUE.equals(configuration().isSessionEnabled())
                    ? factory.createServiceBusSessionProcessorClient(configuration(), this::processMessage,
                            this::processError)
                    : factory.createServiceBusProcessorClient(configuration(), this::processMessage,
                            this::processError);
        }
        client.start();
    }

    @Override
    protected void doStop() throws Exception {
        if (client != null) {
            client.close();
        }
        super.doStop();
    }

    private void processMessage(ServiceBusReceivedMessageContext context) {
        ServiceBusReceivedMessage received = context.getMessage();
        if (replicationLag != null) {
            replicationLag.delivered(namespace, received.getMessageId(), received.getEnqueuedTime());
        }
        Exchange exchange = exchange(received);
        Span span = tracing.startProcess(namespace, host, configuration().getTopicOrQueueName(),
                configuration().getServiceBusType() == ServiceBusType.topic ? configuration().getSubscriptionName()
                        : null,
                received);
        tracing.inject(span, exchange.getIn());
        exchange.getExchangeExtension().addOnCompletion(new Settlement(context, received.getMessageId(), span));
        // not the default callback, which logs every failure again with its stack trace: the settlement logs a failure
        // once, and the message's own fault not at all (the route said why)
        Scope scope = tracing.on() ? span.makeCurrent() : null;
        try {
            getAsyncProcessor().process(exchange, doneSync -> {
            });
        } finally {
            if (scope != null) {
                scope.close();
            }
        }
    }

    private void processError(ServiceBusErrorContext context) {
        Exchange exchange = createExchange(true);
        exchange.setException(context.getException());
        getExceptionHandler().handleException("Error from Service Bus: " + context.getErrorSource(), exchange,
                context.getException());
    }

    /** The exchange the stock consumer makes, but with a body read from whichever AMQP section holds it. */
    private Exchange exchange(ServiceBusReceivedMessage received) {
        Exchange exchange = createExchange(true);
        Message message = exchange.getIn();
        message.setBody(body(received.getRawAmqpMessage().getBody(), received));
        message.setHeader(ServiceBusConstants.APPLICATION_PROPERTIES, received.getApplicationProperties());
        message.setHeader(ServiceBusConstants.CONTENT_TYPE, received.getContentType());
        message.setHeader(ServiceBusConstants.MESSAGE_ID, received.getMessageId());
        message.setHeader(ServiceBusConstants.CORRELATION_ID, received.getCorrelationId());
        message.setHeader(ServiceBusConstants.DEAD_LETTER_ERROR_DESCRIPTION, received.getDeadLetterErrorDescription());
        message.setHeader(ServiceBusConstants.DEAD_LETTER_REASON, received.getDeadLetterReason());
        message.setHeader(ServiceBusConstants.DEAD_LETTER_SOURCE, received.getDeadLetterSource());
        message.setHeader(ServiceBusConstants.DELIVERY_COUNT, received.getDeliveryCount());
        message.setHeader(ServiceBusConstants.SCHEDULED_ENQUEUE_TIME, received.getScheduledEnqueueTime());
        message.setHeader(ServiceBusConstants.ENQUEUED_SEQUENCE_NUMBER, received.getEnqueuedSequenceNumber());
        message.setHeader(ServiceBusConstants.ENQUEUED_TIME, received.getEnqueuedTime());
        message.setHeader(ServiceBusConstants.EXPIRES_AT, received.getExpiresAt());
        message.setHeader(ServiceBusConstants.LOCK_TOKEN, received.getLockToken());
        message.setHeader(ServiceBusConstants.LOCKED_UNTIL, received.getLockedUntil());
        message.setHeader(ServiceBusConstants.PARTITION_KEY, received.getPartitionKey());
        message.setHeader(ServiceBusConstants.RAW_AMQP_MESSAGE, received.getRawAmqpMessage());
        message.setHeader(ServiceBusConstants.REPLY_TO, received.getReplyTo());
        message.setHeader(ServiceBusConstants.REPLY_TO_SESSION_ID, received.getReplyToSessionId());
        message.setHeader(ServiceBusConstants.SEQUENCE_NUMBER, received.getSequenceNumber());
        message.setHeader(ServiceBusConstants.SESSION_ID, received.getSessionId());
        message.setHeader(ServiceBusConstants.SUBJECT, received.getSubject());
        message.setHeader(ServiceBusConstants.TIME_TO_LIVE, received.getTimeToLive());
        message.setHeader(ServiceBusConstants.TO, received.getTo());
        HeaderFilterStrategy filter = configuration().getHeaderFilterStrategy();
        message.getHeaders().putAll(received.getApplicationProperties().entrySet().stream()
                .filter(e -> !filter.applyFilterToExternalHeaders(e.getKey(), e.getValue(), exchange))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        return exchange;
    }

    private static Object body(AmqpMessageBody body, ServiceBusReceivedMessage received) {
        return switch (body.getBodyType()) {
            case DATA -> received.getBody();
            case VALUE -> body.getValue();
            case SEQUENCE -> body.getSequence();
            default -> null;
        };
    }

    private final class Settlement extends SynchronizationAdapter {
        private final ServiceBusReceivedMessageContext context;
        private final String messageId;
        private final Span span;

        Settlement(ServiceBusReceivedMessageContext context, String messageId, Span span) {
            this.context = context;
            this.messageId = messageId;
            this.span = span;
        }

        @Override
        public void onComplete(Exchange exchange) {
            try {
                if (peekLock()) {
                    settle("completed", context::complete);
                }
            } finally {
                tracing.endProcess(span, peekLock() ? "complete" : null, duplicate(exchange), null, null);
            }
        }

        @Override
        public void onFailure(Exchange exchange) {
            UnprocessableMessageException unprocessable = exchange.getException(UnprocessableMessageException.class);
            if (unprocessable != null) {
                try {
                    // the route said why (one WARN line, counted); no stack trace: nothing here is a fault of the app
                    if (peekLock()) {
                        settle("dead-lettered", () -> context.deadLetter(new DeadLetterOptions()
                                .setDeadLetterReason(unprocessable.getReason())
                                .setDeadLetterErrorDescription(unprocessable.getDescription())));
                    }
                } finally {
                    tracing.endProcess(span, peekLock() ? "dead_letter" : null, false, unprocessable,
                            unprocessable.getReason());
                }
                return;
            }
            try {
                if (exchange.getException() != null) {
                    getExceptionHandler().handleException("Error during processing exchange.", exchange,
                            exchange.getException());
                }
                if (peekLock()) {
                    settle("abandoned", context::abandon);
                }
            } finally {
                tracing.endProcess(span, peekLock() ? "abandon" : null, false, failure(exchange), null);
            }
        }

        /** The idempotent consumer found the MessageId already processed: the copy was dropped. */
        private static boolean duplicate(Exchange exchange) {
            return exchange.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class);
        }

        private static Throwable failure(Exchange exchange) {
            return exchange.getException() != null ? exchange.getException()
                    : new IllegalStateException("the exchange failed");
        }

        private boolean peekLock() {
            return configuration().getServiceBusReceiveMode() == ServiceBusReceiveMode.PEEK_LOCK;
        }

        private void settle(String outcome, Runnable settlement) {
            try {
                settlement.run();
            } catch (RuntimeException e) {
                LOG.warn("Message {} from {} could not be {} ({}); Service Bus delivers it again when its lock runs "
                        + "out", messageId, namespace, outcome, e.getMessage());
            }
        }
    }
}
