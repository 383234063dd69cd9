package io.xregion.emulator.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import io.xregion.testing.Keys;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two app servers reading one queue (or one subscription) share its messages: the emulator hands them out to the
 * receivers with credit in turn. Messages trickle in while both wait with credit to spare, which is where the receiver
 * attached first used to take everything (599 of 600 in the app's runs, 200 of 200 here).
 */
class CompetingReceiversTest {

    static final int TOTAL = 200;
    /** Each receiver's least share; an even split is 50 %, and the starving dispatch gave the second one 0.2 %. */
    static final double MIN_SHARE = 0.35;
    private static final int PREFETCH = 5;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private ServiceBusEmulator namespace;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final Semaphore done = new Semaphore(0);

    static void assertFairShare(long first, long second, int total) {
        assertEquals(total, first + second, "every message was handled once");
        long least = Math.round(Math.ceil(total * MIN_SHARE));
        assertTrue(first >= least && second >= least,
                "each receiver gets at least " + least + " of " + total + ": first " + first + ", second " + second);
    }

    @BeforeEach
    void start() {
        namespace = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("eastus", Keys.random())
                .withQueues("orders").withTopic("events", "app"));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        namespace.close();
    }

    /** A builder of its own, and so a connection of its own, as another app server would have. */
    private ServiceBusClientBuilder appServer() {
        return new ServiceBusClientBuilder().connectionString(namespace.connectionString())
                .retryOptions(ServiceBusEmulatorSdkTest.retry(1, Duration.ofSeconds(5)));
    }

    /** A processor as an app server runs it: one message at a time, a few prefetched. */
    private AtomicInteger processor(Function<ServiceBusClientBuilder.ServiceBusProcessorClientBuilder,
            ServiceBusClientBuilder.ServiceBusProcessorClientBuilder> entity) {
        AtomicInteger handled = new AtomicInteger();
        ServiceBusProcessorClient processor = entity.apply(appServer().processor()).maxConcurrentCalls(1)
                .prefetchCount(PREFETCH).disableAutoComplete().processMessage(context -> {
                    context.complete();
                    handled.incrementAndGet();
                    done.release();
                }).processError(context -> { }).buildProcessorClient();
        clients.add(processor);
        processor.start();
        return handled;
    }

    /**
     * Messages trickle in: each is sent once the one before it was handled, so both receivers wait with credit when
     * it arrives and only the dispatch decides who gets it.
     */
    private void sendOneAtATime(ServiceBusSenderClient sender) throws InterruptedException {
        clients.add(sender);
        for (int i = 0; i < TOTAL; i++) {
            sender.sendMessage(new ServiceBusMessage("m" + i).setMessageId("m" + i));
            assertTrue(done.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS), "message " + i + " was not handled");
        }
    }

    private void assertShared(String path, AtomicInteger first, AtomicInteger second) {
        Awaitility.await().atMost(WAIT).until(() -> namespace.locked(path) == 0);
        System.out.printf("Java competing processors on %s: first %d, second %d of %d%n", path, first.get(),
                second.get(), TOTAL);
        assertFairShare(first.get(), second.get(), TOTAL);
        assertEquals(0, namespace.depth(path));
    }

    @Test
    void twoProcessorsOnOneQueueEachGetAFairShare() throws InterruptedException {
        AtomicInteger first = processor(p -> p.queueName("orders"));
        Awaitility.await().atMost(WAIT).until(() -> namespace.receivers("orders") == 1);
        AtomicInteger second = processor(p -> p.queueName("orders"));
        Awaitility.await().atMost(WAIT).until(() -> namespace.receivers("orders") == 2);

        sendOneAtATime(appServer().sender().queueName("orders").buildClient());
        assertShared("orders", first, second);
    }

    @Test
    void twoProcessorsOnOneSubscriptionEachGetAFairShare() throws InterruptedException {
        String path = "events/subscriptions/app";
        AtomicInteger first = processor(p -> p.topicName("events").subscriptionName("app"));
        Awaitility.await().atMost(WAIT).until(() -> namespace.receivers(path) == 1);
        AtomicInteger second = processor(p -> p.topicName("events").subscriptionName("app"));
        Awaitility.await().atMost(WAIT).until(() -> namespace.receivers(path) == 2);

        sendOneAtATime(appServer().sender().topicName("events").buildClient());
        assertShared(path, first, second);
    }
}
