package io.xregion.servicebus.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import io.xregion.testing.LogCapture;
import io.xregion.testing.RedisServer;

/** The claim / confirm / remove contract against a real redis-server, and the hold and degrade policies. */
@Tag("slow")
class RedisDuplicateStoreTest {

    @RegisterExtension
    static final RedisServer redis = RedisServer.start();
    private final List<RedisDuplicateStore> stores = new ArrayList<>();

    @AfterEach
    void stopStores() {
        stores.forEach(RedisDuplicateStore::stop);
        redis.startAgain();
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.flushAll();
        }
    }

    /** What Redis holds for an id (a fresh connection each time: the server restarts in some tests). */
    private static String value(RedisServer server, String key) {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            return jedis.get(key);
        }
    }

    private static long pttl(String key) {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            return jedis.pttl(key);
        }
    }

    private RedisDuplicateStore started(String owner, long lease, long wait, long hold) {
        RedisDuplicateStore store = RedisStores.started(RedisStores.settings(redis, owner, lease, wait, hold));
        stores.add(store);
        return store;
    }

    /** Not started: claims, confirms and removes, but renews nothing (so its claims lapse). */
    private RedisDuplicateStore idle(String owner, long lease, long wait) {
        return new RedisDuplicateStore(RedisStores.settings(redis, owner, lease, wait, 0));
    }

    @Test
    void aClaimIsASetNxWithALeaseNamingItsOwnerAndConfirmKeepsItDoneForTheWindow() {
        RedisDuplicateStore east = started("east", 5000, 500, 1000);
        RedisDuplicateStore west = started("west", 5000, 500, 1000);

        assertTrue(east.add("m1"));
        assertEquals("claimed east", value(redis, "test:m1"));
        long lease = pttl("test:m1");
        assertTrue(lease > 0 && lease <= 5000, "lease " + lease);

        assertTrue(east.confirm("m1"));
        assertEquals("done east", value(redis, "test:m1"));
        long window = pttl("test:m1");
        assertTrue(window > 5000 && window <= 60_000, "window " + window);

        assertFalse(west.add("m1"), "a copy that finds the id done is a duplicate");
        // the duplicate's exchange completes: Camel confirms it, which must not touch east's record
        assertTrue(west.confirm("m1"));
        assertFalse(west.remove("m1"));
        assertEquals("done east", value(redis, "test:m1"));
    }

    @Test
    void removeOnFailureDeletesTheClaimSoTheOtherCopyIsProcessed() {
        RedisDuplicateStore east = started("east", 5000, 500, 1000);
        RedisDuplicateStore west = started("west", 5000, 500, 1000);
        assertTrue(east.add("m2"));
        assertTrue(east.remove("m2"));
        assertNull(value(redis, "test:m2"));
        assertTrue(west.add("m2"));
        assertEquals("claimed west", value(redis, "test:m2"));
    }

    @Test
    void anotherOwnersClaimNotDoneIsNotADuplicateTheCopyFailsAfterTheWaitAndLeavesTheClaimAlone() {
        RedisDuplicateStore east = started("east", 5000, 500, 1000);
        RedisDuplicateStore west = started("west", 5000, 400, 1000);
        assertTrue(east.add("m3"));

        ClaimPendingException pending = assertThrows(ClaimPendingException.class, () -> west.add("m3"));
        assertTrue(pending.getMessage().contains("claimed by east"), pending.getMessage());
        assertEquals("claimed east", value(redis, "test:m3"));
        // Camel calls neither confirm nor remove when add threw; a stray remove would still leave east's claim
        assertFalse(west.remove("m3"));
        assertEquals("claimed east", value(redis, "test:m3"));
    }

    @Test
    void aWaitingCopyBecomesADuplicateOnceTheOwnerConfirms() throws Exception {
        RedisDuplicateStore east = started("east", 5000, 500, 1000);
        RedisDuplicateStore west = started("west", 5000, 5000, 1000);
        assertTrue(east.add("m4"));
        CompletableFuture<Boolean> copy = CompletableFuture.supplyAsync(() -> west.add("m4"));
        Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !copy.isDone());
        assertTrue(east.confirm("m4"));
        assertFalse(copy.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aCopyArrivingWhileItsOtherCopyIsProcessedHereWaitsForItsOutcomeWithoutPolling() throws Exception {
        // a poll of 60 s: only the outcome of the claim held here can end these waits in time
        DuplicateStoreSettings base = RedisStores.settings(redis, "east", 5000, 30_000, 1000);
        RedisDuplicateStore east = RedisStores.started(new DuplicateStoreSettings(base.endpoints(), "", "east",
                "test:", base.lease(), base.window(), base.maxEntries(), base.hold(), base.claimWait(),
                Duration.ofSeconds(60), Duration.ofSeconds(60), base.probeInterval(), base.connectTimeout(),
                base.timeout(), base.maxConnections()));
        stores.add(east);
        org.apache.camel.CamelContext camel = new org.apache.camel.impl.DefaultCamelContext();
        org.apache.camel.Exchange first = new org.apache.camel.support.DefaultExchange(camel);
        org.apache.camel.Exchange copy = new org.apache.camel.support.DefaultExchange(camel);

        assertTrue(east.add(first, "w1"));
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> east.add(copy, "w1"));
        Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
        assertTrue(east.confirm(first, "w1"));
        assertFalse(waiting.get(5, TimeUnit.SECONDS), "done here: the waiting copy is a duplicate");

        // the first fails: the waiting copy claims the id and is processed
        org.apache.camel.Exchange failing = new org.apache.camel.support.DefaultExchange(camel);
        org.apache.camel.Exchange other = new org.apache.camel.support.DefaultExchange(camel);
        assertTrue(east.add(failing, "w2"));
        CompletableFuture<Boolean> next = CompletableFuture.supplyAsync(() -> east.add(other, "w2"));
        Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !next.isDone());
        assertTrue(east.remove(failing, "w2"));
        assertTrue(next.get(5, TimeUnit.SECONDS), "failed here: the waiting copy claims it");
        assertEquals("claimed east", value(redis, "test:w2"));
    }

    @Test
    void aCopyWaitingOnAnotherAppServerLooksAgainSoonAfterTheClaimIsDone() throws Exception {
        // first look again after 5 ms, doubling up to a poll of 10 s: done after about 300 ms, seen within a second
        DuplicateStoreSettings base = RedisStores.settings(redis, "west", 5000, 30_000, 1000);
        RedisDuplicateStore east = started("east", 5000, 500, 1000);
        RedisDuplicateStore west = RedisStores.started(new DuplicateStoreSettings(base.endpoints(), "", "west",
                "test:", base.lease(), base.window(), base.maxEntries(), base.hold(), base.claimWait(),
                Duration.ofMillis(5), Duration.ofSeconds(10), base.probeInterval(), base.connectTimeout(),
                base.timeout(), base.maxConnections()));
        stores.add(west);
        assertTrue(east.add("w3"));
        CompletableFuture<Boolean> copy = CompletableFuture.supplyAsync(() -> west.add("w3"));
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !copy.isDone());
        assertTrue(east.confirm("w3"));
        assertFalse(copy.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aLapsedClaimIsTakenOverAndTheOldOwnerCanNeitherConfirmNorRemoveIt() throws Exception {
        RedisDuplicateStore crashed = idle("crashed", 400, 500);
        RedisDuplicateStore west = started("west", 5000, 5000, 1000);
        assertTrue(crashed.add("m5"));
        // west waits for the claim to be done or to lapse; it lapses (nobody renews it) and west takes it over
        assertTrue(west.add("m5"));
        assertEquals("claimed west", value(redis, "test:m5"));

        assertFalse(crashed.remove("m5"), "compare-and-delete: no longer ours");
        assertEquals("claimed west", value(redis, "test:m5"));
        assertTrue(crashed.add("m6"));
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> value(redis, "test:m6") == null);
        assertTrue(west.add("m6"));
        assertFalse(crashed.confirm("m6"), "a confirm of a claim taken over must not mark it done");
        assertEquals("claimed west", value(redis, "test:m6"));
    }

    @Test
    void aClaimIsRenewedWhileItsMessageIsProcessedSoProcessingMayOutlastTheLease() {
        RedisDuplicateStore east = started("east", 600, 500, 1000);
        RedisDuplicateStore west = started("west", 600, 200, 1000);
        assertTrue(east.add("m7"));
        // three leases later the claim is still east's, and a copy still may not pass
        Awaitility.await().pollDelay(Duration.ofMillis(1800)).atMost(Duration.ofSeconds(3))
                .until(() -> "claimed east".equals(value(redis, "test:m7")));
        assertThrows(ClaimPendingException.class, () -> west.add("m7"));
        assertTrue(east.confirm("m7"));
        assertEquals("done east", value(redis, "test:m7"));
    }

    @Test
    void onlyTheExchangeThatClaimedAnIdConfirmsOrRemovesIt() {
        RedisDuplicateStore east = started("east", 5000, 500, 0);
        org.apache.camel.CamelContext camel = new org.apache.camel.impl.DefaultCamelContext();
        org.apache.camel.Exchange first = new org.apache.camel.support.DefaultExchange(camel);
        org.apache.camel.Exchange copy = new org.apache.camel.support.DefaultExchange(camel);
        org.apache.camel.Exchange redelivery = new org.apache.camel.support.DefaultExchange(camel);
        redis.stop();
        // degraded at once: per process, so the copy arriving while the first is processed is a duplicate here
        assertTrue(east.add(first, "x1"));
        assertFalse(east.add(copy, "x1"));
        // Camel completes the duplicate's exchange (confirm) or fails it (remove): neither touches the first's claim
        assertTrue(east.confirm(copy, "x1"));
        assertFalse(east.remove(copy, "x1"));
        // the first fails: its claim is removed, so the redelivery is processed and not dropped as a duplicate
        assertTrue(east.remove(first, "x1"));
        assertTrue(east.add(redelivery, "x1"));
    }

    @Test
    void idsKnownDoneAreAnsweredFromTheNearCacheWithoutRedis() {
        RedisDuplicateStore east = started("east", 5000, 500, -1);
        assertTrue(east.add("m8"));
        assertTrue(east.confirm("m8"));
        redis.stop();
        // with hold for ever, any round trip would block: the near cache answers
        assertFalse(east.add("m8"));
        assertEquals(DuplicateStoreState.SHARED, east.state());
    }

    @Test
    void degradeAtOnceEliminatesPerProcessWhileRedisIsAwayAndSharesAgainOnceItIsBack() {
        RedisDuplicateStore east = started("east", 5000, 500, 0);
        redis.stop();
        assertTrue(east.add("d1"));
        assertEquals(DuplicateStoreState.DEGRADED, east.state());
        assertFalse(east.add("d1"), "per-process elimination while degraded");
        assertTrue(east.confirm("d1"));
        assertFalse(east.add("d1"));

        redis.startAgain();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> east.state() == DuplicateStoreState.SHARED);
        assertTrue(east.add("d2"));
        assertEquals("claimed east", value(redis, "test:d2"));
    }

    @Test
    void holdForAWhileProcessesNothingThenDegrades() throws Exception {
        RedisDuplicateStore east = started("east", 5000, 500, 1500);
        redis.stop();
        CompletableFuture<Boolean> copy = CompletableFuture.supplyAsync(() -> east.add("h1"));
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> east.state() == DuplicateStoreState.HOLDING);
        assertFalse(copy.isDone(), "nothing is decided while holding");
        assertTrue(copy.get(5, TimeUnit.SECONDS));
        assertEquals(DuplicateStoreState.DEGRADED, east.state());
        assertTrue(east.describe().get("hold").toString().contains("1500 ms"));
    }

    @Test
    void holdForAWhileThatRedisOutlivesNotGoesOnSharedWithoutDegrading() throws Exception {
        RedisDuplicateStore east = started("east", 5000, 500, 5000);
        redis.stop();
        CompletableFuture<Boolean> copy = CompletableFuture.supplyAsync(() -> east.add("h2"));
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> east.state() == DuplicateStoreState.HOLDING);
        redis.startAgain();
        assertTrue(copy.get(5, TimeUnit.SECONDS));
        assertEquals(DuplicateStoreState.SHARED, east.state());
        assertEquals("claimed east", value(redis, "test:h2"));
    }

    @Test
    void holdForEverWaitsUntilRedisIsBack() throws Exception {
        RedisDuplicateStore east = started("east", 5000, 500, -1);
        redis.stop();
        CompletableFuture<Boolean> copy = CompletableFuture.supplyAsync(() -> east.add("h3"));
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> east.state() == DuplicateStoreState.HOLDING);
        // many probe intervals later: still holding, nothing decided
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> !copy.isDone() && east.state() == DuplicateStoreState.HOLDING);
        redis.startAgain();
        assertTrue(copy.get(5, TimeUnit.SECONDS));
        assertEquals("claimed east", value(redis, "test:h3"));
    }

    @Test
    void aSecondEndpointIsUsedWhileTheFirstIsAwayAndTheFirstAgainOnceItIsBack() {
        try (RedisServer replica = RedisServer.start()) {
            DuplicateStoreSettings one = RedisStores.settings(redis, "east", 5000, 500, 0);
            RedisDuplicateStore east = RedisStores.started(new DuplicateStoreSettings(
                    List.of(RedisEndpoint.parse(redis.url()), RedisEndpoint.parse(replica.url())), "", "east",
                    "test:", one.lease(), one.window(), one.maxEntries(), one.hold(), one.claimWait(), one.firstPoll(),
                    one.poll(), one.probeInterval(), one.connectTimeout(), one.timeout(), one.maxConnections()));
            stores.add(east);
            assertTrue(east.add("e1"));
            assertEquals("claimed east", value(redis, "test:e1"));
            redis.stop();
            assertTrue(east.add("e2"));
            assertEquals("claimed east", value(replica, "test:e2"));
            assertEquals(DuplicateStoreState.SHARED, east.state());
            assertEquals("127.0.0.1:" + replica.port(), east.describe().get("endpoint"));
            redis.startAgain();
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> ("127.0.0.1:" + redis.port()).equals(east.describe().get("endpoint")));
            assertTrue(east.add("e3"));
            assertEquals("claimed east", value(redis, "test:e3"));
        }
    }

    @Test
    void anAccessKeyIsSentAndNeverShown() {
        try (RedisServer secured = RedisServer.start("s3cret-key-123"); LogCapture logs = LogCapture.begin()) {
            DuplicateStoreSettings base = RedisStores.settings(secured, "east", 5000, 500, 0);
            DuplicateStoreSettings settings = new DuplicateStoreSettings(base.endpoints(), "s3cret-key-123", "east",
                    "test:", base.lease(), base.window(), base.maxEntries(), base.hold(), base.claimWait(),
                    base.firstPoll(), base.poll(), base.probeInterval(), base.connectTimeout(), base.timeout(),
                    base.maxConnections());
            RedisDuplicateStore east = RedisStores.started(settings);
            stores.add(east);
            assertTrue(east.add("k1"));
            assertEquals(DuplicateStoreState.SHARED, east.state());
            assertFalse(settings.toString().contains("s3cret"));
            assertFalse(east.describe().toString().contains("s3cret"));

            String wrong = "wrong-key-7f3a9c";
            DuplicateStoreSettings wrongSettings = new DuplicateStoreSettings(base.endpoints(), wrong, "west",
                    "test:", base.lease(), base.window(), base.maxEntries(), base.hold(), base.claimWait(),
                    base.firstPoll(), base.poll(), base.probeInterval(), base.connectTimeout(), base.timeout(),
                    base.maxConnections());
            RedisDuplicateStore wrongKey = RedisStores.started(wrongSettings);
            stores.add(wrongKey);
            // a refused key is treated like an unreachable Redis (here: degrade at once), and not echoed: not in
            // the description (whose lastError carries Redis's refusal, shown only while not SHARED), nor in the
            // settings, nor in anything logged meanwhile
            assertTrue(wrongKey.add("k2"));
            assertEquals(DuplicateStoreState.DEGRADED, wrongKey.state());
            java.util.Map<String, Object> description = wrongKey.describe();
            assertTrue(String.valueOf(description.get("lastError")).contains("WRONGPASS"),
                    "the description says why: " + description);
            assertFalse(description.toString().contains(wrong), description.toString());
            assertFalse(wrongSettings.toString().contains(wrong), wrongSettings.toString());
            assertFalse(logs.text().contains(wrong), "the wrong key was logged");
            assertTrue(logs.text().contains("Duplicate store: redis at"), "the capture saw the store's own lines");
        }
    }
}
