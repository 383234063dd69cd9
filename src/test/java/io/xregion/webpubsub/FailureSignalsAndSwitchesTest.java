package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.apache.camel.builder.NotifyBuilder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Failed calls count against an instance's health; failback can be switched off; answers are counted. */
@Tag("slow")
class FailureSignalsAndSwitchesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static void dev(RunningApp app, String instance, String action) {
        assertEquals(200, HttpCalls.post(app.url("/dev/webpubsub/" + instance + "/" + action), null, null).status());
    }

    private static String region(RunningApp app) {
        return HttpCalls.get(app.url("/negotiate")).json().path("region").asText();
    }

    @Test
    void failedBroadcastsMarkAnInstanceDownBetweenProbes() {
        // probes only at start-up: whatever happens next, only broadcasts can tell
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(600_000, 500));
        try (RunningApp app = RunningApp.start(properties)) {
            Awaitility.await().atMost(WAIT).until(() -> "eastus".equals(region(app)));
            dev(app, "eastus", "down");
            assertEquals("eastus", region(app), "no probe has run, so the app does not know yet");

            HttpCalls.Answer first = HttpCalls.post(app.url("/broadcast"), "text/plain", "one");
            assertEquals(202, first.status());
            assertEquals("unavailable", first.json().get("instances").get("eastus").get("status").asText());
            assertEquals("accepted", first.json().get("instances").get("westus").get("status").asText());
            assertEquals("eastus", region(app), "one failure is below the threshold of 2");

            HttpCalls.post(app.url("/broadcast"), "text/plain", "two");
            assertEquals("westus", region(app));
            HttpCalls.Answer third = HttpCalls.post(app.url("/broadcast"), "text/plain", "three");
            assertEquals("skipped", third.json().get("instances").get("eastus").get("status").asText());

            MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
            assertEquals(2.0, meters.get("xregion.webpubsub.calls").tags("operation", "broadcast", "instance", "eastus",
                    "outcome", "unavailable").counter().count());
            assertEquals(3.0, meters.get("xregion.webpubsub.calls").tags("operation", "broadcast", "instance", "westus",
                    "outcome", "accepted").counter().count());
            assertEquals(0.0, meters.get("xregion.webpubsub.instance.up").tags("instance", "eastus").gauge().value());
            double westusAnswers = meters.get("xregion.webpubsub.negotiations").tags("instance", "westus").counter()
                    .count();
            assertEquals(1.0, westusAnswers, "one negotiate answered westus so far");
        }
    }

    @Test
    void aPartitionThroughTheDevApiMovesNegotiateAwayUntilUp() {
        try (RunningApp app = RunningApp.start(RunningApp.fastHealth(300, 300))) {
            Awaitility.await().atMost(WAIT).until(() -> "eastus".equals(region(app)));
            HttpCalls.Answer partitioned = HttpCalls.post(app.url("/dev/webpubsub/eastus/partition"), null, null);
            assertEquals(200, partitioned.status(), partitioned.body());
            assertEquals("PARTITIONED", partitioned.json().at("/eastus/state").asText(), partitioned.body());
            // nothing refuses the probes: their own timeout is what marks eastus down
            Awaitility.await().atMost(WAIT).until(() -> "westus".equals(region(app)));
            JsonNode eastus = HttpCalls.get(app.url("/dev/state")).json().at("/webpubsub/eastus");
            assertEquals("PARTITIONED", eastus.get("state").asText(), eastus.toString());
            assertEquals("DOWN", eastus.at("/app/state").asText(), eastus.toString());
            assertTrue(eastus.at("/app/lastError").asText().contains("timed out"), eastus.toString());
            HttpCalls.Answer unhealthy = HttpCalls.post(app.url("/dev/webpubsub/eastus/unhealthy"), null, null);
            assertEquals(409, unhealthy.status(), unhealthy.body());
            assertEquals("Conflict", unhealthy.json().at("/error/code").asText(), unhealthy.body());

            HttpCalls.Answer namespace = HttpCalls.post(app.url("/dev/servicebus/eastus/partition"), null, null);
            assertEquals(200, namespace.status(), namespace.body());
            assertEquals("PARTITIONED", namespace.json().at("/eastus/state").asText(), namespace.body());
            assertEquals("UP", HttpCalls.post(app.url("/dev/servicebus/eastus/up"), null, null).json()
                    .at("/eastus/state").asText());

            dev(app, "eastus", "up");
            Awaitility.await().atMost(WAIT).until(() -> "eastus".equals(region(app)));
        }
    }

    @Test
    void withFailbackOffClientsStayOnTheSecondaryWhenThePrimaryReturns() {
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(300, 300));
        properties.put("xregion.webpubsub.failback.enabled", "false");
        try (RunningApp app = RunningApp.start(properties)) {
            Awaitility.await().atMost(WAIT).until(() -> "eastus".equals(region(app)));
            dev(app, "eastus", "down");
            Awaitility.await().atMost(WAIT).until(() -> "westus".equals(region(app)));
            String url = HttpCalls.get(app.url("/negotiate?userId=stay")).json().get("url").asText();
            try (WsClient client = WsClient.connect(url, "json.webpubsub.azure.v1")) {
                client.nextJson(WAIT);
                NotifyBuilder failbackDone = new NotifyBuilder(app.context()).fromRoute("webpubsub-failback")
                        .whenCompleted(1).create();
                dev(app, "eastus", "up");
                Awaitility.await().atMost(WAIT).until(() -> "eastus".equals(region(app)));
                // the failback route ran for this recovery and, switched off, closed nothing
                org.junit.jupiter.api.Assertions.assertTrue(failbackDone.matches(5, TimeUnit.SECONDS));
                assertFalse(client.isClosed());
                assertEquals(0, app.context().getRegistry().findSingleByType(MeterRegistry.class)
                        .find("xregion.webpubsub.calls").tags("operation", "failback-close").counters().size());
            }
        }
    }
}
