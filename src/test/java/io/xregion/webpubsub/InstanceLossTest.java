package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.dev.DevEmulators;
import io.xregion.testing.Closer;
import io.xregion.testing.FrameObserver;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.NumberedPosts;
import io.xregion.testing.RunningApp;
import io.xregion.testing.TestSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
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
@Tag("slow")
class InstanceLossTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final Closer closer = new Closer();

    private RunningApp app;
    private FrameObserver observer;

    private void start() {
        // the shipped health settings: a probe every second, 400 ms timeout, thresholds 2/2
        app = closer.add(RunningApp.start(TestSettings.dev().fastHealth(1000, 400).build()));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
        // a client of the instance that survives, with a token from the official SDK
        String westus = app.bean("devEmulators", DevEmulators.class).webPubSub().get("westus").connectionString();
        String url = new WebPubSubServiceClientBuilder().connectionString(westus).hub("chat").buildClient()
                .getClientAccessToken(new GetClientAccessTokenOptions().setUserId("observer")).getUrl();
        observer = closer.add(FrameObserver.counting(url, "n"));
    }

    private List<JsonNode> broadcastThrough(int count, int lossAt, String loss) throws Exception {
        return NumberedPosts.post(app.url("/broadcast"), count, lossAt, () -> {
            HttpCalls.Answer switched = HttpCalls.post(app.url("/dev/webpubsub/eastus/" + loss), null, null);
            assertEquals(200, switched.status(), switched.body());
        });
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
        Awaitility.await("every message at the client of westus").atMost(WAIT).until(() -> observer.distinct() == 300);
        assertEquals(List.of(), observer.duplicated(), "messages received more than once");
    }
}
