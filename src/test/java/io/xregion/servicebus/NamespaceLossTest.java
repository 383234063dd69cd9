package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.Closer;
import io.xregion.testing.FrameObserver;
import io.xregion.testing.NumberedPosts;
import io.xregion.testing.RunningApp;
import io.xregion.testing.TestSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Publishing through the loss of a namespace, mid-traffic, the two ways a region is lost: {@code down} (connections
 * refused and reset: the SDK hears of it) and {@code partition} (open connections go silent, new ones are never
 * answered: nothing is heard until a timeout). The send budget is long here (3 s a try, one retry: about 7 s), as in
 * production, so a publish that waited for the lost namespace would show it: its answer would name that namespace
 * {@code unavailable}. A publish that did not wait names it {@code pending} (its copy was still in flight when the
 * answer was made) or {@code skipped} (already known lost). Every message must still reach a real WebSocket client
 * exactly once.
 */
@Tag("slow")
class NamespaceLossTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path outboxDirectory;

    @RegisterExtension
    final Closer closer = new Closer();

    private RunningApp app;
    private FrameObserver observer;

    private void start(Map<String, String> settings) {
        app = closer.add(RunningApp.start(TestSettings.dev().serviceBusFaultRun(outboxDirectory)
                .with("xregion.servicebus.send.try-timeout-ms", "3000")
                .with("xregion.servicebus.send.max-retries", "1")
                // a probe every second, as shipped: the loss is seen through the probe or the first failed send
                .with("xregion.servicebus.health.interval-ms", "1000")
                .with("xregion.servicebus.health.timeout-ms", "400")
                .with(settings).build()));
        observer = closer.add(FrameObserver.counting(app, "observer", "n", Duration.ofSeconds(10)));
    }

    private void dev(String namespace, String action) {
        app.dev("servicebus", namespace, action);
    }

    /** Publishes 0..count-1 from four threads; the loss comes when message {@code lossAt} is reached. */
    private List<JsonNode> publishThrough(int count, int lossAt, Runnable loss) throws Exception {
        return NumberedPosts.post(app.url("/publish"), count, lossAt, loss);
    }

    /** What each namespace's outcomes were, counted: for the failure messages. */
    private static Map<String, Long> summary(List<JsonNode> answers) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (JsonNode answer : answers) {
            String key = answer.path("status").asText() + " " + answer.path("namespaces").toString()
                    .replaceAll("(unavailable|refused): [^\"]*", "$1");
            counts.merge(key, 1L, Long::sum);
        }
        return counts;
    }

    private static long answersNaming(List<JsonNode> answers, String namespace, String outcome) {
        return answers.stream().filter(a -> a.path("namespaces").path(namespace).asText().startsWith(outcome))
                .count();
    }

    private void assertEveryMessageReachedTheClientOnce(int count) {
        Awaitility.await("every message broadcast").atMost(WAIT).until(() -> observer.distinct() == count);
        assertEquals(List.of(), observer.duplicated(), "messages broadcast more than once");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"down", "partition"})
    void activeReplicationAnswersWithTheSurvivingNamespaceAndNeverWaitsForTheLostOne(String loss) throws Exception {
        start(Map.of("xregion.servicebus.mode", "active"));
        List<JsonNode> answers = publishThrough(600, 150, () -> dev("westus", loss));

        // eastus took every message (a copy slower than the other by more than other-copies-wait-ms is pending)
        assertTrue(answers.stream().allMatch(a -> a.path("status").asText().equals("sent")
                && a.path("namespaces").path("eastus").asText().matches("accepted|pending")),
                "eastus took every message: " + summary(answers));
        assertEquals(0, answersNaming(answers, "westus", "unavailable"),
                "no publish waited for the lost namespace's failure: " + summary(answers));
        assertTrue(answersNaming(answers, "westus", "pending") > 0,
                "publishes made while westus's copies hung were answered without them: " + summary(answers));
        assertTrue(answersNaming(answers, "westus", "skipped: unreachable") > 0, "then westus was known lost");
        assertEveryMessageReachedTheClientOnce(600);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"down", "partition"})
    void passiveReplicationHedgesToTheOtherNamespaceAndMovesThereOnceTheOneInUseIsKnownLost(String loss)
            throws Exception {
        start(Map.of("xregion.servicebus.mode", "passive"));
        List<JsonNode> answers = publishThrough(600, 150, () -> dev("eastus", loss));

        assertTrue(answers.stream().allMatch(a -> a.path("status").asText().equals("sent")), "nothing queued");
        assertEquals(0, answersNaming(answers, "eastus", "unavailable"),
                "no publish waited for the namespace in use to fail");
        assertTrue(answers.stream().anyMatch(a -> a.path("namespaces").path("eastus").asText().equals("pending")
                && a.path("namespaces").path("westus").asText().equals("accepted")),
                "while eastus hung, westus got the message too and answered: " + summary(answers));
        JsonNode last = answers.get(answers.size() - 1);
        assertEquals("accepted", last.path("namespaces").path("westus").asText(), last.toString());
        assertEquals(1.0, app.meter("xregion.servicebus.failovers", "to", "westus"), "one swap, to westus");
        // passive replication's price: what eastus accepted just before it was lost waits there until it is back
        dev("eastus", "up");
        assertEveryMessageReachedTheClientOnce(600);
    }

    @Test
    void aNamespaceThatStopsAnsweringHoldsNoMoreSendsThanItsBulkhead() throws Exception {
        // the probe is slowed down so that only the bulkhead stands between the lost namespace and the publishes
        start(Map.of("xregion.servicebus.mode", "active", "xregion.servicebus.send.max-in-flight", "4",
                "xregion.servicebus.health.interval-ms", "60000"));
        List<JsonNode> answers = publishThrough(200, 20, () -> dev("westus", "partition"));

        assertTrue(answers.stream().allMatch(a -> a.path("status").asText().equals("sent")));
        assertTrue(answersNaming(answers, "westus", "skipped: busy") > 0,
                "once four copies hung on westus, further copies were not even tried");
        assertEveryMessageReachedTheClientOnce(200);
    }
}
