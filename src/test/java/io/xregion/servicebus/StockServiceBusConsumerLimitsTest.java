package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.azure.core.amqp.models.AmqpMessageBody;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.servicebus.models.SubQueue;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.testing.Keys;

/**
 * SettlingServiceBusConsumer works around two limits of camel-azure-servicebus 4.17.0's consumer: it cannot hand an
 * AMQP value body to its route, and a route cannot dead-letter a message with a reason of its own. The stock checks
 * fail when an upgrade lifts a limit (the workaround may then go); the others show the workaround doing what the
 * stock consumer cannot, against the emulator.
 */
class StockServiceBusConsumerLimitsTest extends OursAndStockTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> clients = new ArrayList<>();

    @Override
    protected ServiceBusEmulatorOptions namespaceOptions() {
        // short locks and two deliveries: a message nobody settles is dead-lettered within seconds
        return ServiceBusEmulatorOptions.of("eastus", Keys.random())
                .withQueues("stock-values", "stock-refused", "our-values", "our-refused")
                .withLockDuration(Duration.ofSeconds(1)).withMaxDeliveryCount(2);
    }

    @Override
    protected void doPostTearDown() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        super.doPostTearDown();
    }

    private ServiceBusClientBuilder builder() {
        return new ServiceBusClientBuilder().connectionString(namespace.connectionString());
    }

    private void send(String queue, ServiceBusMessage message) {
        ServiceBusSenderClient sender = builder().sender().queueName(queue).buildClient();
        clients.add(sender);
        sender.sendMessage(message);
    }

    private static ServiceBusMessage valueMessage() {
        return new ServiceBusMessage(AmqpMessageBody.fromValue("a value section")).setMessageId("value-1");
    }

    private static ServiceBusMessage dataMessage() {
        return new ServiceBusMessage("some bytes").setMessageId("data-1");
    }

    private ServiceBusReceivedMessage deadLettered(String queue) {
        Awaitility.await().atMost(WAIT).until(() -> namespace.deadLetterDepth(queue) == 1);
        ServiceBusReceiverClient receiver = builder().receiver().queueName(queue).subQueue(SubQueue.DEAD_LETTER_QUEUE)
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient();
        clients.add(receiver);
        for (ServiceBusReceivedMessage message : receiver.receiveMessages(1, WAIT)) {
            return message;
        }
        throw new AssertionError("the dead-letter queue of " + queue + " gave nothing within " + WAIT);
    }

    private void route(String from, String to) throws Exception {
        RouteBuilder.addRoutes(context, routes -> routes.from(from).to(to));
    }

    private void refusingRoute(String from) throws Exception {
        RouteBuilder.addRoutes(context, routes -> routes.from(from)
                .throwException(new UnprocessableMessageException("Chosen", "the route's own description")));
    }

    @Test
    void theStockConsumerStillNeverHandsAValueBodyToItsRoute() throws Exception {
        route("azure-servicebus:stock-values", "mock:stock");
        send("stock-values", valueMessage());

        assertEquals("MaxDeliveryCountExceeded", deadLettered("stock-values").getDeadLetterReason(),
                "delivered, never settled, until the broker gave up");
        assertEquals(0, getMockEndpoint("mock:stock").getReceivedCounter(), "camel-azure-servicebus now hands AMQP "
                + "value bodies to its route: SettlingServiceBusConsumer's own body reading may no longer be needed");
    }

    @Test
    void theStockConsumerStillCannotDeadLetterWithTheRoutesReason() throws Exception {
        refusingRoute("azure-servicebus:stock-refused?enableDeadLettering=true");
        send("stock-refused", dataMessage());

        ServiceBusReceivedMessage message = deadLettered("stock-refused");
        assertNotEquals("Chosen", message.getDeadLetterReason(), "camel-azure-servicebus now dead-letters with a "
                + "reason the route chose: SettlingServiceBusConsumer's settlement may no longer be needed");
        assertEquals(UnprocessableMessageException.class.getName() + ": the route's own description",
                message.getDeadLetterReason(), "the exception's class and message, as camel-azure-servicebus 4.17.0 does");
    }

    @Test
    void ourConsumerHandsAValueBodyToItsRoute() throws Exception {
        MockEndpoint ours = getMockEndpoint("mock:ours");
        ours.expectedBodiesReceived("a value section");
        route("azure-servicebus-eastus:our-values", "mock:ours");
        send("our-values", valueMessage());

        ours.assertIsSatisfied(WAIT.toMillis());
        Awaitility.await().atMost(WAIT).until(() -> namespace.depth("our-values") == 0
                && namespace.locked("our-values") == 0);
        assertEquals(0, namespace.deadLetterDepth("our-values"), "completed");
    }

    @Test
    void ourConsumerDeadLettersAtOnceWithTheRoutesReasonAndDescription() throws Exception {
        refusingRoute("azure-servicebus-eastus:our-refused");
        send("our-refused", dataMessage());

        ServiceBusReceivedMessage message = deadLettered("our-refused");
        assertEquals("Chosen", message.getDeadLetterReason());
        assertEquals("the route's own description", message.getDeadLetterErrorDescription());
        assertEquals("data-1", message.getMessageId());
    }
}
