package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.dev.DevEmulators;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Broadcasting through the loss of a Web PubSub instance, mid-traffic, the two ways a region is lost: {@code down}
 * (refused and reset: calls fail at once) and {@code partition} (open connections go silent, new ones are never
 * answered: a call would wait for its whole response timeout, 5 s). A client of the surviving instance must get every
 * message, once, and no broadcast may wait for the silent instance: its call is answered {@code pending} at the
 * fan-out's deadline (a broadcast that waited would name it {@code timeout}), and once its probes call it DOWN it is
 * {@code skipped}.
 */
class InstanceLossTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private RunningApp app;
    private WsClient observer;
    private final Map<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
    private Thread collector;

    private void start() {
        // the shipped health settings: a probe every second, 400 ms timeout, thresholds 2/2
        app = RunningApp.start(RunningApp.fastHealth(1000, 400));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
        // a client of the instance that survives, with a token from the official SDK
        String westus = app.bean("devEmulators", DevEmulators.class).webPubSub().get("westus").connectionString();
        String url = new WebPubSubServiceClientBuilder().connectionString(westus).hub("chat").buildClient()
                .getClientAccessToken(new GetClientAccessTokenOptions().setUserId("observer")).getUrl();
        observer = WsClient.connect(url, "json.webpubsub.azure.v1");
        observer.nextJson(Duration.ofSeconds(5));
        collector = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                WsClient.Frame frame = observer.poll(Duration.ofMillis(100));
                if (frame != null && frame.json().path("data").has("n")) {
                    seen.computeIfAbsent(frame.json().path("data").get("n").asInt(), n -> new AtomicInteger())
                            .incrementAndGet();
                }
            }
        });
        collector.setDaemon(true);
        collector.start();
    }

    @AfterEach
    void stop() {
        if (collector != null) {
            collector.interrupt();
        }
        if (observer != null) {
            observer.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private List<JsonNode> broadcastThrough(int count, int lossAt, String loss) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<JsonNode> answers = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(pool.submit(() -> {
                for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                    if (n == lossAt) {
                        HttpCalls.Answer switched = HttpCalls.post(app.url("/dev/webpubsub/eastus/" + loss), null,
                                null);
                        assertEquals(200, switched.status(), switched.body());
                    }
                    HttpCalls.Answer answer = HttpCalls.post(app.url("/broadcast"), "application/json",
                            "{\"n\":" + n + "}");
                    assertEquals(202, answer.status(), answer.body());
                    answers.add(answer.json());
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        return answers;
    }

    private static Map<String, Long> eastusOutcomes(List<JsonNode> answers) {
        Map<String, Long> counts = new TreeMap<>();
        answers.forEach(a -> counts.merge(a.path("instances").path("eastus").path("status").asText(), 1L, Long::sum));
        return counts;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"down", "partition"})
    void theSurvivingInstancesClientsGetEveryMessageOnceAndNoBroadcastWaitsForTheLostInstance(String loss)
            throws Exception {
        start();
        List<JsonNode> answers = broadcastThrough(300, 75, loss);

        assertTrue(answers.stream().allMatch(a -> a.path("instances").path("westus").path("status").asText()
                .equals("accepted")), "westus took every broadcast");
        Map<String, Long> eastus = eastusOutcomes(answers);
        assertEquals(null, eastus.get("timeout"), "no broadcast waited for the lost instance: " + eastus);
        assertTrue(eastus.containsKey("skipped"), "the lost instance was then known DOWN: " + eastus);
        if (loss.equals("partition")) {
            assertTrue(eastus.containsKey("pending"), "calls to the silent instance were left behind: " + eastus);
        }
        Awaitility.await("every message at the client of westus").atMost(WAIT).until(() -> seen.size() == 300);
        assertEquals(List.of(), seen.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey)
                .toList(), "messages received more than once");
    }
}
