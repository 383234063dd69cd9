package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import org.apache.camel.Exchange;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.component.azure.servicebus.ServiceBusEndpoint;
import org.apache.camel.component.azure.servicebus.ServiceBusType;
import org.junit.jupiter.api.Test;

import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.testing.Keys;

/**
 * MessageIdServiceBusComponent works around camel-azure-servicebus 4.17.0, whose producer cannot set a MessageId.
 * These checks fail when an upgrade changes either side of that: when the stock producer starts keeping the MessageId
 * (the workaround may then go), or when the stock option configurer, which the workaround borrows by the stock scheme
 * name, stops taking the options the routes give.
 */
class MessageIdServiceBusComponentTest extends OursAndStockTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    protected ServiceBusEmulatorOptions namespaceOptions() {
        return ServiceBusEmulatorOptions.of("eastus", Keys.random()).withTopic("events", "audit");
    }

    private void send(String endpoint) {
        Exchange sent = template.send(endpoint, exchange -> {
            exchange.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, "order-1");
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody("{\"n\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        assertEquals(null, sent.getException());
    }

    private ServiceBusReceivedMessage received() {
        try (ServiceBusReceiverClient receiver = new ServiceBusClientBuilder()
                .connectionString(namespace.connectionString()).receiver().topicName("events")
                .subscriptionName("audit").receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient()) {
            for (ServiceBusReceivedMessage message : receiver.receiveMessages(1, WAIT)) {
                return message;
            }
        }
        throw new AssertionError("no message arrived within " + WAIT);
    }

    @Test
    void theStockProducerStillDropsTheMessageIdSoTheWorkaroundIsStillNeeded() {
        send("azure-servicebus:events?serviceBusType=topic");
        assertNotEquals("order-1", received().getMessageId(), "camel-azure-servicebus now sends the MessageId of "
                + "the CamelAzureServiceBusMessageId header: MessageIdServiceBusComponent's own producer may no longer "
                + "be needed (see its comment)");
    }

    @Test
    void theStockFactoryStillBuildsOnlyASynchronousSender() {
        boolean asynchronous = java.util.Arrays.stream(
                org.apache.camel.component.azure.servicebus.client.ServiceBusClientFactory.class.getMethods())
                .anyMatch(m -> m.getReturnType() == com.azure.messaging.servicebus.ServiceBusSenderAsyncClient.class);
        assertFalse(asynchronous, "camel-azure-servicebus's ServiceBusClientFactory now builds an asynchronous sender: "
                + "SenderClients may go (see its comment)");
    }

    @Test
    void ourProducerSendsTheMessageIdAndContentType() {
        send("azure-servicebus-eastus:events?serviceBusType=topic");
        ServiceBusReceivedMessage message = received();
        assertEquals("order-1", message.getMessageId());
        assertEquals("application/json", message.getContentType());
    }

    @Test
    void theRoutesOptionsReachTheStockConfigurationThroughTheStockConfigurer() {
        ServiceBusEndpoint endpoint = assertInstanceOf(MessageIdServiceBusComponent.MessageIdEndpoint.class,
                context.getEndpoint("azure-servicebus-eastus:events?serviceBusType=topic&subscriptionName=xregion"
                        + "&maxConcurrentCalls=7&prefetchCount=3"));
        assertEquals("events", endpoint.getConfiguration().getTopicOrQueueName());
        assertEquals(ServiceBusType.topic, endpoint.getConfiguration().getServiceBusType());
        assertEquals("xregion", endpoint.getConfiguration().getSubscriptionName());
        assertEquals(7, endpoint.getConfiguration().getMaxConcurrentCalls());
        assertEquals(3, endpoint.getConfiguration().getPrefetchCount());
        // the configurer is really there: an option it does not know is refused, not ignored
        assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint("azure-servicebus-eastus:events?serviceBusTyp=topic"));
    }
}
