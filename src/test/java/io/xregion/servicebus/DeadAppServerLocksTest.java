package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.testing.AppServerProcess;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.FrameObserver;
import io.xregion.testing.RedisServer;
import io.xregion.testing.RunningApp;
import io.xregion.testing.StuckProcessing;
import io.xregion.testing.TestSettings;

/**
 * What a dead app server held reaches the clients within the promised bound (README "Lock duration and lock
 * renewal"). The eastus namespace is down, so a message's only copy is westus's; an app server ("doomed", its own JVM,
 * processing that never ends) holds it peek-locked and claimed in the redis duplicate store, renewing both, until it
 * is killed with {@code kill -9}. Its lock then runs out within the entities' lock duration (the local Azure's
 * default, which is what xregion asks of real entities) and its claim within the claim lease, and the surviving app
 * server delivers the message to its client: at most max(lock duration, claim lease) and a pickup margin after the
 * kill, the 15 s xregion promises.
 *
 * <p>How it fails without the feature: with Service Bus's default 60 s lock (the local Azure's default before) the
 * settings no longer keep the promise, and the client would wait a minute, past the deadline; without lock renewal
 * (maxAutoLockRenewDuration 0) the living app server's lock is never renewed, the wait for a renewal fails, and the
 * copy would leave it for the survivor, which would wait on the living holder's claim.
 */
@Tag("slow")
class DeadAppServerLocksTest {

    /** Every accepted message reaches every connected client this long after an app server holding it dies. */
    private static final Duration PROMISE = Duration.ofSeconds(15);
    /**
     * After the lock and the claim ran out: the lock sweep (every 0.5 s), a receive, a look at the claim (every
     * poll-ms), a broadcast.
     */
    private static final Duration PICKUP = Duration.ofSeconds(5);
    private static final Duration START = Duration.ofSeconds(60);
    private static final String SUBSCRIPTION = "events/subscriptions/xregion";

    @TempDir
    Path work;

    private final RedisServer redis = RedisServer.start();
    private final ExternalServices services = new ExternalServices();
    private AppServerProcess doomed;
    private RunningApp survivor;
    private FrameObserver client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (doomed != null) {
            doomed.close();
        }
        if (survivor != null) {
            survivor.close();
        }
        services.close();
        redis.close();
    }

    @Test
    void whatADeadAppServerHeldReachesTheClientsWithinTheLockDuration() throws Exception {
        Duration lock = ServiceBusEmulatorOptions.DEFAULT_LOCK_DURATION;
        Duration lease = Duration.ofMillis(Long.parseLong(shipped("xregion.servicebus.dedup.redis.claim-lease-ms")));
        Duration bound = (lock.compareTo(lease) > 0 ? lock : lease).plus(PICKUP);
        assertTrue(bound.compareTo(PROMISE) <= 0, "lock duration " + lock + " and claim lease " + lease
                + " promise " + bound + ", not " + PROMISE);

        CompletableFuture<AppServerProcess> starting = CompletableFuture.supplyAsync(this::startDoomed);
        survivor = RunningApp.start(settings("survivor", "westus"));
        doomed = starting.join();
        connectClient();
        services.eastServiceBus.down();
        Awaitility.await().atMost(START).until(() -> services.westServiceBus.receivers(SUBSCRIPTION) == 2);

        // westus serves its two receivers in turn: what the survivor gets reaches the client at once, what the
        // doomed app server gets it holds
        String held = null;
        try (ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                .connectionString(services.westServiceBus.connectionString()).sender().topicName("events")
                .buildClient()) {
            for (int n = 0; held == null && n < 6; n++) {
                String id = "held-" + n;
                sender.sendMessage(new ServiceBusMessage("{\"id\":\"" + id + "\"}").setMessageId(id)
                        .setContentType("application/json"));
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> client.saw(id) || claimedByDoomed(id));
                held = claimedByDoomed(id) ? id : null;
            }
        }
        assertTrue(held != null, "the doomed app server got none of six messages");

        // while it lives it renews its lock (the SDK, halfway through the lock duration); the survivor's messages
        // are settled by now, or soon
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> services.westServiceBus.lockedUntil(SUBSCRIPTION).size() == 1);
        Map<UUID, Instant> locks = services.westServiceBus.lockedUntil(SUBSCRIPTION);
        UUID token = locks.keySet().iterator().next();
        Instant firstUntil = locks.get(token);
        Awaitility.await().atMost(lock).until(() -> {
            Instant until = services.westServiceBus.lockedUntil(SUBSCRIPTION).get(token);
            return until != null && until.isAfter(firstUntil);
        });
        assertFalse(client.saw(held), "a held message reached the client");

        doomed.kill();
        String message = held;
        Awaitility.await().atMost(bound).until(() -> client.saw(message));
        assertEquals(1, client.times(message));
        assertEquals(0, services.westServiceBus.deadLetterDepth(SUBSCRIPTION));
    }

    private static String shipped(String key) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(reader);
        }
        return properties.getProperty(key).trim();
    }

    private Map<String, String> settings(String owner, String primary) {
        return TestSettings.production(services).redisStore(redis, owner)
                .with("xregion.webpubsub.primary", primary)
                .with("xregion.servicebus.outbox.directory", work.resolve(owner + "-outbox").toString())
                .with("xregion.leadership.file.root", work.resolve(owner + "-leadership").toString())
                // a loaded machine must not make the survivor think westus lost and broadcast past the client
                .with("xregion.webpubsub.health.timeout-ms", "3000")
                .with("xregion.webpubsub.health.failure-threshold", "5").build();
    }

    /** The app in its own JVM with the shipped routes, but for a processing route that never ends. */
    private AppServerProcess startDoomed() {
        try {
            Path routes = StuckProcessing.routesIn(work.resolve("doomed-routes"));
            Map<String, String> settings = new HashMap<>(settings("doomed", "eastus"));
            settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
            return AppServerProcess.start(settings, "dead-app-server-locks-doomed", START);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void connectClient() {
        // negotiate answers 503 until the survivor's first probe has found an instance healthy
        client = FrameObserver.counting(survivor, "client", "id", START);
    }

    private boolean claimedByDoomed(String id) {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            String value = jedis.get("xregion:dedup:" + id);
            return value != null && value.startsWith("claimed doomed#");
        }
    }
}
