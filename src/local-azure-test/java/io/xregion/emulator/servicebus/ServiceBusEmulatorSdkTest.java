package io.xregion.emulator.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.azure.core.amqp.AmqpRetryMode;
import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.xregion.testing.Keys;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The official Java SDK (azure-messaging-servicebus) works against the emulator unchanged. */
@Tag("slow")
class ServiceBusEmulatorSdkTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private ServiceBusEmulator namespace;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        namespace = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("eastus", Keys.random())
                .withQueues("orders").withTopic("events", "app", "audit").withLockDuration(Duration.ofSeconds(3))
                .withMaxDeliveryCount(3));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        namespace.close();
    }

    /** Fast retries (the SDK's jitter needs a delay of at least 1 s and a max delay well above it). */
    static AmqpRetryOptions retry(int maxRetries, Duration tryTimeout) {
        return new AmqpRetryOptions().setMode(AmqpRetryMode.FIXED).setMaxRetries(maxRetries).setTryTimeout(tryTimeout)
                .setDelay(Duration.ofSeconds(1)).setMaxDelay(Duration.ofSeconds(10));
    }

    private ServiceBusClientBuilder builder(String connectionString) {
        return new ServiceBusClientBuilder().connectionString(connectionString).retryOptions(retry(1, Duration.ofSeconds(5)));
    }

    private ServiceBusSenderClient sender(String entity) {
        ServiceBusSenderClient sender = builder(namespace.connectionString()).sender().queueName(entity).buildClient();
        clients.add(sender);
        return sender;
    }

    private ServiceBusReceiverClient receiver(String queue, ServiceBusReceiveMode mode) {
        ServiceBusReceiverClient receiver = builder(namespace.connectionString()).receiver().queueName(queue)
                .receiveMode(mode).disableAutoComplete().maxAutoLockRenewDuration(Duration.ZERO).buildClient();
        clients.add(receiver);
        return receiver;
    }

    private static List<ServiceBusReceivedMessage> receive(ServiceBusReceiverClient receiver, int count) {
        List<ServiceBusReceivedMessage> all = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (all.size() < count && System.nanoTime() < deadline) {
            receiver.receiveMessages(count - all.size(), Duration.ofSeconds(2)).forEach(all::add);
        }
        return all;
    }

    @Test
    void singleAndBatchedSendsArriveInOrderWithTheirIdsAndSystemProperties() {
        ServiceBusSenderClient sender = sender("orders");
        ServiceBusMessage one = new ServiceBusMessage("one").setMessageId("id-1").setContentType("text/plain");
        one.getApplicationProperties().put("region", "eastus");
        sender.sendMessage(one);
        ServiceBusMessageBatch batch = sender.createMessageBatch();
        for (int i = 2; i <= 4; i++) {
            assertTrue(batch.tryAddMessage(new ServiceBusMessage("m" + i).setMessageId("id-" + i)));
        }
        sender.sendMessages(batch);
        assertEquals(4, namespace.depth("orders"));

        ServiceBusReceiverClient receiver = receiver("orders", ServiceBusReceiveMode.PEEK_LOCK);
        List<ServiceBusReceivedMessage> received = receive(receiver, 4);
        assertEquals(List.of("id-1", "id-2", "id-3", "id-4"), received.stream().map(ServiceBusReceivedMessage::getMessageId).toList());
        assertEquals("one", received.get(0).getBody().toString());
        assertEquals("text/plain", received.get(0).getContentType());
        assertEquals("eastus", received.get(0).getApplicationProperties().get("region"));
        long previous = 0;
        for (ServiceBusReceivedMessage message : received) {
            assertTrue(message.getSequenceNumber() > previous);
            previous = message.getSequenceNumber();
            assertNotNull(message.getEnqueuedTime());
            assertNotNull(message.getLockedUntil());
            assertNotEquals(new UUID(0, 0).toString(), message.getLockToken());
            receiver.complete(message);
        }
        assertEquals(0, namespace.depth("orders"));
        assertEquals(0, namespace.locked("orders"));
    }

    @Test
    void abandonRedeliversAndDeadLetterAndMaxDeliveryCountFillTheDeadLetterQueue() {
        ServiceBusSenderClient sender = sender("orders");
        sender.sendMessage(new ServiceBusMessage("poison").setMessageId("p"));
        sender.sendMessage(new ServiceBusMessage("bad").setMessageId("b"));
        ServiceBusReceiverClient receiver = receiver("orders", ServiceBusReceiveMode.PEEK_LOCK);

        List<ServiceBusReceivedMessage> first = receive(receiver, 2);
        ServiceBusReceivedMessage poison = first.get(0);
        receiver.deadLetter(first.get(1), new DeadLetterOptions().setDeadLetterReason("bad")
                .setDeadLetterErrorDescription("cannot parse"));
        receiver.abandon(poison);
        ServiceBusReceivedMessage again = receive(receiver, 1).get(0);
        assertEquals("p", again.getMessageId());
        assertEquals(1, again.getDeliveryCount());
        receiver.abandon(again);
        receiver.abandon(receive(receiver, 1).get(0));
        // three deliveries, the maximum here: the poison message is dead-lettered
        Awaitility.await().atMost(WAIT).until(() -> namespace.deadLetterDepth("orders") == 2);
        assertEquals(0, namespace.depth("orders"));

        ServiceBusReceiverClient deadLetters = builder(namespace.connectionString()).receiver().queueName("orders")
                .subQueue(com.azure.messaging.servicebus.models.SubQueue.DEAD_LETTER_QUEUE)
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient();
        clients.add(deadLetters);
        List<ServiceBusReceivedMessage> dead = receive(deadLetters, 2);
        assertEquals("bad", dead.get(0).getDeadLetterReason());
        assertEquals("cannot parse", dead.get(0).getDeadLetterErrorDescription());
        assertEquals("MaxDeliveryCountExceeded", dead.get(1).getDeadLetterReason());
        assertEquals(0, namespace.deadLetterDepth("orders"), "RECEIVE_AND_DELETE removed them");
    }

    @Test
    void anExpiredLockReturnsTheMessageAndItsLateCompleteIsRefused() {
        sender("orders").sendMessage(new ServiceBusMessage("slow").setMessageId("s"));
        ServiceBusReceiverClient receiver = receiver("orders", ServiceBusReceiveMode.PEEK_LOCK);
        ServiceBusReceivedMessage message = receive(receiver, 1).get(0);
        UUID token = UUID.fromString(message.getLockToken());
        Awaitility.await().atMost(WAIT).until(() -> !namespace.lockTokens("orders").contains(token));
        ServiceBusException late = assertThrows(ServiceBusException.class, () -> receiver.complete(message));
        assertEquals(ServiceBusFailureReason.MESSAGE_LOCK_LOST, late.getReason());
        ServiceBusReceivedMessage redelivered = receive(receiver, 1).get(0);
        assertEquals(1, redelivered.getDeliveryCount());
        receiver.complete(redelivered);
    }

    @Test
    void renewLockKeepsAMessageLockedPastTheExpiryOfALockTakenAfterIt() {
        ServiceBusSenderClient sender = sender("orders");
        sender.sendMessage(new ServiceBusMessage("long").setMessageId("l"));
        sender.sendMessage(new ServiceBusMessage("control").setMessageId("c"));
        ServiceBusReceiverClient receiver = receiver("orders", ServiceBusReceiveMode.PEEK_LOCK);
        ServiceBusReceivedMessage message = receive(receiver, 1).get(0);
        ServiceBusReceivedMessage control = receive(receiver, 1).get(0);
        assertEquals(List.of("l", "c"), List.of(message.getMessageId(), control.getMessageId()));
        UUID token = UUID.fromString(message.getLockToken());
        UUID controlToken = UUID.fromString(control.getLockToken());

        // renewed every half second, well within the 3 s lock, until the control's lock (taken after ours, never
        // renewed) has run out: ours has then outlived its first lock
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            receiver.renewMessageLock(message);
            return !namespace.lockTokens("orders").contains(controlToken);
        });
        assertTrue(namespace.lockTokens("orders").contains(token), "the renewed message is still locked");
        assertEquals(1, namespace.depth("orders"), "only the control message is back in the queue");
        receiver.complete(message);
        assertEquals(0, namespace.locked("orders"));
    }

    @Test
    void peekShowsWaitingAndLockedMessagesWithoutLockingThem() {
        ServiceBusSenderClient sender = sender("orders");
        for (String id : List.of("k1", "k2", "k3")) {
            sender.sendMessage(new ServiceBusMessage(id).setMessageId(id));
        }
        ServiceBusReceiverClient receiver = receiver("orders", ServiceBusReceiveMode.PEEK_LOCK);
        ServiceBusReceivedMessage locked = receive(receiver, 1).get(0);

        List<ServiceBusReceivedMessage> peeked = new ArrayList<>();
        receiver.peekMessages(10, 1).forEach(peeked::add);
        assertEquals(List.of("k1", "k2", "k3"), peeked.stream().map(ServiceBusReceivedMessage::getMessageId).toList());
        assertEquals("k2", peeked.get(1).getBody().toString());
        assertNull(peeked.get(0).getLockToken(), "a peeked message carries no lock");
        assertEquals(2, namespace.depth("orders"));
        assertEquals(1, namespace.locked("orders"));
        assertEquals("k3", receiver.peekMessage(peeked.get(2).getSequenceNumber()).getMessageId());
        receiver.complete(locked);
    }

    @Test
    void receiveAndDeleteRemovesOnDelivery() {
        sender("orders").sendMessage(new ServiceBusMessage("x").setMessageId("x"));
        ServiceBusReceiverClient receiver = receiver("orders", ServiceBusReceiveMode.RECEIVE_AND_DELETE);
        assertEquals("x", receive(receiver, 1).get(0).getMessageId());
        assertEquals(0, namespace.depth("orders"));
        assertEquals(0, namespace.locked("orders"));
    }

    @Test
    void topicsFanOutToEverySubscription() {
        ServiceBusSenderClient sender = builder(namespace.connectionString()).sender().topicName("events").buildClient();
        clients.add(sender);
        sender.sendMessage(new ServiceBusMessage("news").setMessageId("n1"));
        assertEquals(1, namespace.depth("events/subscriptions/app"));
        assertEquals(1, namespace.depth("events/subscriptions/audit"));
        ServiceBusReceiverClient app = builder(namespace.connectionString()).receiver().topicName("events")
                .subscriptionName("app").disableAutoComplete().buildClient();
        clients.add(app);
        ServiceBusReceivedMessage message = receive(app, 1).get(0);
        assertEquals("n1", message.getMessageId());
        app.complete(message);
        assertEquals(0, namespace.depth("events/subscriptions/app"));
        assertEquals(1, namespace.depth("events/subscriptions/audit"));
    }

    @Test
    void theProcessorClientReceivesAndCompletes() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ServiceBusProcessorClient processor = builder(namespace.connectionString()).processor().queueName("orders")
                .disableAutoComplete().processMessage(context -> {
                    seen.add(context.getMessage().getMessageId());
                    context.complete();
                }).processError(context -> { }).buildProcessorClient();
        clients.add(processor);
        processor.start();
        ServiceBusSenderClient sender = sender("orders");
        for (int i = 0; i < 5; i++) {
            sender.sendMessage(new ServiceBusMessage("p" + i).setMessageId("p" + i));
        }
        Awaitility.await().atMost(WAIT).until(() -> seen.size() == 5);
        Awaitility.await().atMost(WAIT).until(() -> namespace.locked("orders") == 0);
        assertEquals(0, namespace.depth("orders"));
    }

    @Test
    void unknownEntitiesWrongKeysAndRejectedSendsFailAsTheServiceWould() {
        ServiceBusSenderClient unknown = sender("nope");
        ServiceBusException notFound = assertThrows(ServiceBusException.class,
                () -> unknown.sendMessage(new ServiceBusMessage("x")));
        assertEquals(ServiceBusFailureReason.MESSAGING_ENTITY_NOT_FOUND, notFound.getReason());

        String wrongKey = namespace.connectionString().replaceAll("SharedAccessKey=[^;]+", "SharedAccessKey=" + Keys.random());
        ServiceBusSenderClient intruder = builder(wrongKey).sender().queueName("orders").buildClient();
        clients.add(intruder);
        ServiceBusException unauthorized = assertThrows(ServiceBusException.class,
                () -> intruder.sendMessage(new ServiceBusMessage("x")));
        assertEquals(ServiceBusFailureReason.UNAUTHORIZED, unauthorized.getReason());

        ServiceBusSenderClient sender = sender("orders");
        namespace.rejectSends("com.microsoft:entity-disabled", "disabled for the test");
        ServiceBusException disabled = assertThrows(ServiceBusException.class,
                () -> sender.sendMessage(new ServiceBusMessage("x")));
        assertEquals(ServiceBusFailureReason.MESSAGING_ENTITY_DISABLED, disabled.getReason());
        assertFalse(disabled.isTransient());

        namespace.rejectSends("com.microsoft:server-busy", "busy for the test");
        ServiceBusException busy = assertThrows(ServiceBusException.class,
                () -> sender.sendMessage(new ServiceBusMessage("x")));
        // retried, then reported as "Retries exhausted" around the transient server-busy error
        assertTrue(busy.getMessage().contains("Retries exhausted"), busy.getMessage());
        assertEquals(AmqpErrorCondition.SERVER_BUSY_ERROR, rootAmqpCondition(busy));

        namespace.acceptSends();
        sender.sendMessage(new ServiceBusMessage("fine"));
        assertEquals(1, namespace.depth("orders"));

        ServiceBusException tooLarge = assertThrows(ServiceBusException.class,
                () -> sender.sendMessage(new ServiceBusMessage(new byte[300 * 1024])));
        assertEquals(ServiceBusFailureReason.MESSAGE_SIZE_EXCEEDED, tooLarge.getReason());
    }

    private static AmqpErrorCondition rootAmqpCondition(Throwable error) {
        AmqpErrorCondition condition = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AmqpException amqp && amqp.getErrorCondition() != null) {
                condition = amqp.getErrorCondition();
            }
        }
        return condition;
    }

    @Test
    void downDropsClientsAndTheSameClientRecoversAfterUpOnTheSamePort() {
        ServiceBusSenderClient sender = sender("orders");
        sender.sendMessage(new ServiceBusMessage("before").setMessageId("b"));
        int port = namespace.port();
        namespace.down();
        assertEquals(ServiceBusEmulator.State.DOWN, namespace.state());
        assertThrows(RuntimeException.class, () -> sender.sendMessage(new ServiceBusMessage("during")));
        namespace.up();
        assertEquals(port, namespace.port());
        assertEquals(1, namespace.depth("orders"), "messages survive an outage");
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            sender.sendMessage(new ServiceBusMessage("after").setMessageId("a"));
            return true;
        });
        ServiceBusReceiverClient receiver = receiver("orders", ServiceBusReceiveMode.RECEIVE_AND_DELETE);
        assertEquals(List.of("b", "a"), receive(receiver, 2).stream().map(ServiceBusReceivedMessage::getMessageId).toList());
    }
}
