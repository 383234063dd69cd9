package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.spi.IdempotentRepository;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import io.xregion.servicebus.dedup.ClaimPendingException;
import io.xregion.servicebus.dedup.RedisDuplicateStore;
import io.xregion.servicebus.dedup.RedisStores;
import io.xregion.testing.RedisServer;
import io.xregion.testing.TestSettings;

/**
 * The receive route (routes/servicebus-receive.camel.yaml) on the redis store, through Camel 4.17.0's idempotent
 * consumer as it is: add when a copy arrives, confirm when the exchange succeeded, remove when it failed, and
 * neither when add threw (the exchange then fails: the path a copy claimed elsewhere takes back to Service Bus).
 * Another app server is a second store with its own owner on the same redis-server.
 */
@Tag("slow")
class RedisReceiveRoutesTest extends ReceiveRouteTestSupport {

    @RegisterExtension
    static final RedisServer redis = RedisServer.start();
    private RedisDuplicateStore otherAppServer;

    @Override
    protected Map<String, String> settings() {
        return TestSettings.dev().redisStore(redis, "this-app-server")
                .with("xregion.servicebus.receive.retry.max-retries", "0")
                .with("xregion.servicebus.dedup.redis.claim-lease-ms", "1000")
                .with("xregion.servicebus.dedup.redis.claim-wait-ms", "600")
                .with("xregion.servicebus.dedup.redis.poll-ms", "20").build();
    }

    @BeforeEach
    void startTheOtherAppServer() {
        otherAppServer = RedisStores.started(RedisStores.appSettings(redis, "other-app-server", 3000, 5000, 1000));
    }

    @AfterEach
    void forget() {
        otherAppServer.stop();
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.flushAll();
        }
    }

    private static String value(String messageId) {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            return jedis.get("xregion:dedup:" + messageId);
        }
    }

    @Test
    void theBeanIsTheRedisStore() {
        assertInstanceOf(RedisDuplicateStore.class, bean("servicebusDedup", IdempotentRepository.class));
    }

    @Test
    void aProcessedMessageIsDoneInRedisAndItsCopyIsCompletedAsADuplicate() {
        assertNull(receive("eastus", "r-1").getException());
        assertTrue(value("r-1").startsWith("done this-app-server#"), value("r-1"));
        Exchange copy = receive("westus", "r-1");
        assertNull(copy.getException(), "completed, not abandoned");
        assertEquals(1, process.getReceivedCounter());
        assertEquals(1.0, counter("xregion.servicebus.duplicates", "namespace", "westus"));
        assertEquals(1.0, counter("xregion.servicebus.dedup.near-cache.hits"), "the second copy cost no round trip");
        // another app server's copy finds it done in Redis
        assertEquals(false, otherAppServer.add("r-1"));
    }

    @Test
    void aCopyClaimedByAnotherAppServerAndNotDoneFailsBackToServiceBusWithoutProcessing() {
        assertTrue(otherAppServer.add("r-2"));
        Exchange copy = receive("eastus", "r-2");

        assertInstanceOf(ClaimPendingException.class, copy.getException(), "failed, so the consumer abandons it");
        assertEquals(0, process.getReceivedCounter());
        assertEquals(0.0, counter("xregion.servicebus.duplicates"));
        assertEquals(1.0, counter("xregion.servicebus.dedup.claims", "result", "pending"));
        // Camel called no remove (add threw), and nothing else touched the other app server's claim
        assertEquals("claimed other-app-server", value("r-2"));
    }

    @Test
    void aCopyThatWaitsWhileTheOtherAppServerFinishesIsCompletedAsADuplicate() throws Exception {
        assertTrue(otherAppServer.add("r-3"));
        CompletableFuture<Exchange> copy = CompletableFuture.supplyAsync(() -> receive("eastus", "r-3"));
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> counter("xregion.servicebus.received") == 1);
        assertTrue(otherAppServer.confirm("r-3"));
        Exchange done = copy.get(5, TimeUnit.SECONDS);
        assertNull(done.getException());
        assertEquals(0, process.getReceivedCounter());
        assertEquals(1.0, counter("xregion.servicebus.duplicates", "namespace", "eastus"));
    }

    @Test
    void aProcessingFailureRemovesOurClaimSoTheOtherCopyIsProcessedElsewhere() {
        process.whenAnyExchangeReceived(e -> {
            throw new IllegalStateException("no healthy Web PubSub instance");
        });
        Exchange failed = receive("eastus", "r-4");
        assertNotNull(failed.getException());
        assertNull(value("r-4"), "removed on failure");
        assertTrue(otherAppServer.add("r-4"));
    }

    @Test
    void oneReceiveRouteStoppingLeavesTheSharedStoreRenewingTheOtherRoutesClaims() throws Exception {
        RedisDuplicateStore store = (RedisDuplicateStore) bean("servicebusDedup", IdempotentRepository.class);
        assertTrue(store.add("r-5"));
        context.getRouteController().stopRoute("servicebus-receive-primary");
        // both namespaces' consumers hand their copies to servicebus-receive-once, the one idempotent consumer
        assertFalse(store.isStopped(), "stopping one namespace's consumer leaves the shared store running");
        assertNull(receive("westus", "r-6").getException(), "the other route still decides through the store");
        assertEquals(1, process.getReceivedCounter());
        // the Camel 4.17.0 behaviour this works around: the idempotent consumer stops its repository with its route
        context.getRouteController().stopRoute("servicebus-receive-once");
        assertTrue(store.isStopped(), "Camel no longer stops the repository with its route: drop the workaround");
        // two and a half leases later the claim is still ours, renewed
        Awaitility.await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
                .until(() -> value("r-5") != null && value("r-5").startsWith("claimed this-app-server#"));
    }

    @Test
    void copiesArrivingFromBothNamespacesAtOnceAreProcessedOnce() {
        NotifyBuilder allDone = new NotifyBuilder(context).fromRoute("servicebus-receive-*").whenDone(40).create();
        for (int n = 0; n < 20; n++) {
            String messageId = "c-" + n;
            template.asyncSend("direct:eastus", e -> e.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, messageId));
            template.asyncSend("direct:westus", e -> e.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, messageId));
        }
        assertTrue(allDone.matches(20, TimeUnit.SECONDS), "every copy was handled");
        assertEquals(20, process.getReceivedCounter());
        assertEquals(20.0, counter("xregion.servicebus.duplicates"));
    }
}
