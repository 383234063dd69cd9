package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.xregion.testing.AuditSubscription;
import io.xregion.testing.Closer;
import io.xregion.testing.FrameObserver;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.NumberedPosts;
import io.xregion.testing.RunningApp;
import io.xregion.testing.TestSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain under faults: publish API → Service Bus (active or passive replication, outbox) → deduplicated
 * receive → broadcast to Web PubSub → a real WebSocket client, which must see every message exactly once.
 */
@Tag("slow")
class ServiceBusReplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String SUBSCRIPTION = "events/subscriptions/xregion";

    @TempDir
    Path outboxDirectory;

    @RegisterExtension
    final Closer closer = new Closer();

    private RunningApp app;
    private FrameObserver observer;

    private void start(String mode) {
        start(mode, Map.of());
    }

    private void start(String mode, Map<String, String> extra) {
        app = closer.add(RunningApp.start(TestSettings.dev().serviceBusFaultRun(outboxDirectory)
                .with("xregion.servicebus.mode", mode).with(extra).build()));
        observer = closer.add(FrameObserver.counting(app, "observer", "n", Duration.ofSeconds(10)));
    }

    private static String body(int n) {
        return "{\"n\":" + n + "}";
    }

    private void dev(String namespace, String action) {
        app.dev("servicebus", namespace, action);
    }

    /** Publishes 0..count-1 from four threads; switches run when the given message numbers are reached. */
    private List<JsonNode> publish(int count, Map<Integer, Runnable> switches) throws Exception {
        return NumberedPosts.post(app.url("/publish"), count, switches);
    }

    /** Every message broadcast once; waits until both namespaces are drained so late duplicates would show. */
    private void assertProcessedExactlyOnce(int count) {
        Awaitility.await().atMost(WAIT).until(() -> observer.distinct() == count);
        for (String namespace : List.of("eastus", "westus")) {
            Awaitility.await().atMost(WAIT).until(() -> app.namespace(namespace).depth(SUBSCRIPTION) == 0
                    && app.namespace(namespace).locked(SUBSCRIPTION) == 0);
        }
        MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.get("xregion.servicebus.processed").counter().count() == count);
        assertEquals(List.of(), observer.duplicated(), "messages broadcast more than once");
        assertEquals(0, app.namespace("eastus").deadLetterDepth(SUBSCRIPTION));
        assertEquals(0, app.namespace("westus").deadLetterDepth(SUBSCRIPTION));
    }

    @Test
    void activeReplicationLosesAndRepeatsNothingWhileANamespaceGoesDownAndComesBack() throws Exception {
        start("active");
        List<JsonNode> answers = publish(2000, Map.of(500, () -> dev("westus", "down"), 1200, () -> dev("westus", "up")));

        assertTrue(answers.stream().allMatch(a -> a.get("status").asText().equals("sent")), "nothing needed the outbox");
        assertTrue(answers.stream().anyMatch(a -> a.get("namespaces").path("westus").asText().startsWith("skipped")),
                "while westus was down its copy was skipped");
        assertTrue(answers.stream().anyMatch(a -> a.get("namespaces").path("westus").asText().equals("accepted")));
        assertProcessedExactlyOnce(2000);
        assertTrue(app.meter("xregion.servicebus.duplicates") > 0, "both copies arrived, and the second was dropped");
        assertTrue(app.meter("xregion.servicebus.sends", "namespace", "westus", "outcome", "unavailable") >= 1);
    }

    @Test
    void passiveReplicationSwapsRolesBothWaysAndLosesAndRepeatsNothing() throws Exception {
        start("passive");
        List<JsonNode> answers = publish(2000, Map.of(
                500, () -> dev("eastus", "down"),
                900, () -> dev("eastus", "up"),
                // the swap back needs eastus known to be back (the probe runs every 300 ms), else both are out
                1200, () -> {
                    Awaitility.await().atMost(WAIT).until(() -> app.bean("namespaceHealth",
                            io.xregion.servicebus.NamespaceHealth.class).reachable("eastus"));
                    dev("westus", "down");
                },
                1600, () -> dev("westus", "up")));

        assertTrue(answers.stream().allMatch(a -> a.get("status").asText().equals("sent")));
        assertProcessedExactlyOnce(2000);
        assertTrue(app.meter("xregion.servicebus.failovers", "to", "westus") >= 1, "primary → secondary");
        assertTrue(app.meter("xregion.servicebus.failovers", "to", "eastus") >= 1, "and back");
        // sticky: from the first swap (~500) until westus went down (~1200) every message went to westus, although
        // eastus was back from ~900; a balancer that returned to the primary would have sent westus only ~400
        double westus = app.meter("xregion.servicebus.sends", "namespace", "westus", "outcome", "accepted");
        double eastus = app.meter("xregion.servicebus.sends", "namespace", "eastus", "outcome", "accepted");
        assertTrue(westus > 600, "westus accepted " + westus);
        assertTrue(eastus > 800, "eastus accepted " + eastus);
        // a send slower than hedge-after-ms went to the other namespace too (same MessageId, dropped by the receivers,
        // as assertProcessedExactlyOnce shows); a hedge to a namespace going down is not accepted there. So every
        // message was accepted at least once, and twice at most for the hedged ones
        double hedges = app.meter("xregion.servicebus.hedges");
        assertTrue(westus + eastus >= 2000 && westus + eastus <= 2000 + hedges, "accepted " + (westus + eastus)
                + " times for 2000 messages and " + hedges + " hedges");
    }

    private List<String> audit(String namespace, int count) {
        return AuditSubscription.messageIds(app.namespace(namespace), count, WAIT);
    }

    @Test
    void withBothNamespacesDownMessagesWaitInTheOutboxAndArriveInOrderOnceOneIsBack() throws Exception {
        start("active");
        dev("eastus", "down");
        dev("westus", "down");
        List<String> published = new ArrayList<>();
        for (int n = 0; n < 50; n++) {
            HttpCalls.Answer answer = HttpCalls.post(app.url("/publish"), "application/json", body(n));
            assertEquals(202, answer.status(), answer.body());
            assertEquals("queued", answer.json().get("status").asText(), answer.body());
            published.add(answer.json().get("messageId").asText());
        }
        assertEquals(50, app.bean("outbox", Outbox.class).depth());
        assertEquals(50, HttpCalls.get(app.url("/dev/state")).json().get("outbox").get("depth").asInt());
        // readiness follows the reachability probe, which may not have run since the namespaces went down
        Awaitility.await("no namespace reachable: not ready").atMost(WAIT)
                .until(() -> HttpCalls.get(app.managementUrl("/observe/health/ready")).status() == 503);

        dev("eastus", "up");
        Awaitility.await().atMost(WAIT).until(() -> app.bean("outbox", Outbox.class).depth() == 0);
        assertEquals(published, audit("eastus", 50), "delivered in the order they were published, same MessageIds");
        dev("westus", "up");
        assertProcessedExactlyOnce(50);
        assertEquals(50.0, app.meter("xregion.servicebus.outbox.delivered"));
    }

    @Test
    void aRefusalThatEveryNamespaceWouldRepeatReachesTheCallerWithoutFailover() throws Exception {
        start("passive", Map.of("xregion.servicebus.max-message-bytes", "400000"));
        HttpCalls.Answer warmUp = HttpCalls.post(app.url("/publish"), "application/json", body(0));
        assertEquals("accepted", warmUp.json().get("namespaces").get("eastus").asText(), warmUp.body());

        HttpCalls.Answer tooLarge = HttpCalls.call("POST", app.url("/publish"),
                Map.of("Content-Type", "application/octet-stream"), new byte[300 * 1024]);
        assertEquals(413, tooLarge.status(), tooLarge.body());
        assertEquals("MessageTooLarge", tooLarge.json().get("error").get("code").asText());

        dev("eastus", "reject?condition=amqp:unauthorized-access");
        HttpCalls.Answer unauthorized = HttpCalls.post(app.url("/publish"), "application/json", body(1));
        assertEquals(502, unauthorized.status(), unauthorized.body());
        assertEquals("ServiceBusUnauthorized", unauthorized.json().get("error").get("code").asText());

        assertEquals(0.0, app.meter("xregion.servicebus.sends", "namespace", "westus"), "nothing failed over");
        assertEquals(0.0, app.meter("xregion.servicebus.failovers"));
        assertEquals(0, app.namespace("westus").depth("events/subscriptions/audit"));
        assertEquals(1, app.namespace("eastus").depth("events/subscriptions/audit"), "only the warm-up message");
    }

    @Test
    void concurrentCopiesOfOneMessageAreProcessedOnce() throws Exception {
        start("active");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            statuses.add(pool.submit(() -> HttpCalls.call("POST", app.url("/publish"),
                    Map.of("Content-Type", "application/json", "Idempotency-Key", "order-42"),
                    body(42).getBytes(java.nio.charset.StandardCharsets.UTF_8)).status()));
        }
        for (Future<Integer> status : statuses) {
            assertEquals(202, status.get(1, TimeUnit.MINUTES));
        }
        pool.shutdown();
        assertProcessedExactlyOnce(1);
        assertEquals(39.0, app.meter("xregion.servicebus.duplicates"), "40 copies in all, one processed");
    }
}
