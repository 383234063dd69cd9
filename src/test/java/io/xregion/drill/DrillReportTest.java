package io.xregion.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drill's delivery figures from a made-up run: what counts as missing, what as a duplicate, what as unreceived. */
class DrillReportTest {

    @TempDir
    Path output;

    private static final long LOST = 100_000;

    @Test
    void missingCountsOnlyWhatWasDeliveredWhileTheClientWasConnected() throws Exception {
        DrillReport.Builder builder = new DrillReport.Builder(DrillOptions.parse(List.of("output=" + output,
                "slack-ms=1000")), output, Map.of("xregion.webpubsub.health.interval-ms", "5000",
                "xregion.webpubsub.health.timeout-ms", "1000", "xregion.webpubsub.health.failure-threshold", "2",
                "xregion.webpubsub.home-groups.shards", "8", "xregion.webpubsub.failback.pace-ms", "1000"));
        // westus:0..4 accepted, delivered at LOST-50 s, -20 s, +5 s (while client 0 was away), +30 s, +40 s;
        // westus:5 accepted and received by no client; westus:6 never accepted
        List<Publisher.Publish> publishes = List.of(publish(0, -50_000), publish(1, -20_000), publish(2, 5_000),
                publish(3, 30_000), publish(4, 40_000), publish(5, 41_000),
                new Publisher.Publish(6, LOST + 42_000, LOST + 42_001, Publisher.Outcome.NO_ANSWER, "refused"));
        builder.publishes("westus", publishes);
        JsonNode delivered = json("{\"westus\": [" + (LOST - 50_000) + ", " + (LOST - 20_000) + ", " + (LOST + 5_000)
                + ", " + (LOST + 30_000) + ", " + (LOST + 40_000) + ", 0, 0]}");
        // client 0 (eastus): connected from -60 s, its connection's last message at -20 s, closed at +1 s, back at
        // +20 s; it got 0, 1 (twice) and 4, and missed 3 while connected. Client 1 (westus) got everything delivered.
        JsonNode client0 = json("{\"client\": 0, \"userId\": \"drill-eastus-0\", \"region\": \"westus\", "
                + "\"marks\": {\"lost\": {\"t\": " + LOST + ", \"region\": \"eastus\", \"firstReceive\": "
                + (LOST + 40_000) + "}}, \"received\": {\"westus\": [[0, 1], [4, 4]]}, "
                + "\"duplicates\": {\"westus\": [[1, 2]]}}");
        JsonNode client1 = json("{\"client\": 1, \"userId\": \"drill-westus-0\", \"region\": \"westus\", "
                + "\"marks\": {\"lost\": {\"t\": " + LOST + ", \"region\": \"westus\", \"firstReceive\": "
                + (LOST + 5_000) + ", \"longestGap\": 25000}}, \"received\": {\"westus\": [[0, 4]]}, \"duplicates\": {\"westus\": []}}");
        List<JsonNode> connects = List.of(event("connected", 0, -60_000, "eastus"), event("connected", 1, -60_000,
                "westus"), event("connected", 0, 20_000, "westus"));
        List<JsonNode> disconnects = List.of(json("{\"event\": \"disconnected\", \"client\": 0, \"t\": "
                + (LOST + 1_000) + ", \"lastReceive\": " + (LOST - 20_000) + "}"));
        builder.clients(List.of(client0, client1), delivered, connects, disconnects);
        RegionLossDrill.Timeline timeline = new RegionLossDrill.Timeline();
        timeline.lost = LOST;
        timeline.detected = LOST + 700;
        timeline.restored = LOST + 60_000;
        timeline.eastReady = LOST + 65_000;
        timeline.reported = LOST + 100_000;

        DrillReport report = builder.build(timeline);

        assertEquals(1L, report.figure("delivery", "missingTotal"), report.table());
        assertEquals(1, report.figure("delivery", "clientsMissingAny"));
        assertEquals(1L, report.figure("delivery", "duplicatesTotal"));
        assertEquals(1L, report.figure("delivery", "acceptedReceivedByNoClient"));
        // expected: client 0 gets 0 (first connection, up to the slack before its last message, 1), 3 and 4 (second);
        // client 1 gets 0 to 4
        assertEquals(8L, report.figure("delivery", "expectedDeliveries"));
        assertEquals(6, report.figure("messages", "accepted"));
        assertEquals(1, report.figure("messages", "neverAccepted"));
        assertEquals(700L, report.figure("detection", "detectedMs"));
        assertEquals(1, report.figure("orphans", "orphanedClients"));
        assertEquals(40_000L, report.figure("orphans", "recoveryMsMax"));
        assertEquals(0, report.figure("failback", "clientsHome"));
        assertEquals(25_000L, report.figure("survivors", "longestSilenceAfterLossMsMax"));
    }

    @Test
    void theSurvivorsPublishesAreJudgedOnTheirOwnRegionsTriesAndLatencyOnEveryReceipt() throws Exception {
        DrillReport.Builder builder = new DrillReport.Builder(DrillOptions.parse(List.of("output=" + output)), output,
                Map.of("xregion.webpubsub.health.interval-ms", "1000", "xregion.webpubsub.health.timeout-ms", "400",
                        "xregion.webpubsub.health.failure-threshold", "2", "xregion.webpubsub.home-groups.shards",
                        "8", "xregion.webpubsub.failback.pace-ms", "1000"));
        // westus (the survivor) during the outage: 98 tries answered in 20 ms, one in 300 ms and one refused after
        // 300 ms (p99 of 100: the 99th, 300 ms); one more before the loss, slow, which does not count
        List<Publisher.Publish> west = new java.util.ArrayList<>();
        west.add(tried(0, "westus", -5_000, 2_000, Publisher.Outcome.SENT));
        for (int n = 1; n < 99; n++) {
            west.add(tried(n, "westus", 1_000 + n, 20, Publisher.Outcome.SENT));
        }
        west.add(tried(99, "westus", 1_500, 300, Publisher.Outcome.SENT));
        west.add(tried(100, "westus", 2_000, 300, Publisher.Outcome.REFUSED));
        builder.publishes("westus", west);
        // eastus's publisher: its own app server did not answer; the front took it to westus
        long sent = LOST + 1_000;
        builder.publishes("eastus", List.of(new Publisher.Publish(0, sent, sent + 8_030, Publisher.Outcome.SENT,
                "westus sent", List.of(new Publisher.Try("eastus", sent, sent + 8_000, Publisher.Outcome.NO_ANSWER,
                        "HttpTimeoutException"), new Publisher.Try("westus", sent + 8_000, sent + 8_030,
                                Publisher.Outcome.SENT, "sent")))));
        builder.clients(List.of(json("{\"client\": 0, \"userId\": \"drill-westus-0\", \"latest\": {\"ms\": 9100, "
                + "\"message\": \"eastus:0\"}, \"marks\": {}}")), json("{}"), List.of(), List.of());
        // before the loss 98 receipts at 10 ms and 2 at 400 ms: p99 400 ms
        builder.latency(json("{\"steady\": [[10, 98], [400, 2]], \"lost\": [[9100, 1]]}"));
        RegionLossDrill.Timeline timeline = new RegionLossDrill.Timeline();
        timeline.lost = LOST;
        timeline.restored = LOST + 60_000;
        timeline.eastReady = LOST + 65_000;
        timeline.reported = LOST + 100_000;

        DrillReport report = builder.build(timeline);

        assertEquals(100, report.figure("publishing", "survivorPublishes"), report.table());
        assertEquals(1, report.figure("publishing", "survivorRefused"));
        assertEquals(20L, report.figure("publishing", "survivorPublishMsP50"));
        assertEquals(300L, report.figure("publishing", "survivorPublishMsP99"));
        assertEquals(Map.of("accepted by westus", 1), report.figure("publishing", "lostRegionPublisher"));
        assertEquals(10L, report.figure("latency", "steadyE2eMsP50"));
        assertEquals(400L, report.figure("latency", "steadyE2eMsP99"));
        assertEquals(9_100L, report.figure("latency", "latestReceiptMs"));
        Map<String, Boolean> verdicts = new java.util.HashMap<>();
        report.targets().forEach(target -> verdicts.put(target.name(), target.met()));
        assertEquals(Boolean.FALSE, verdicts.get("survivor's publishes refused"));
        assertEquals(Boolean.FALSE, verdicts.get("survivor's publish latency p99"));
        assertEquals(Boolean.FALSE, verdicts.get("e2e latency p99 before the loss"));
        assertEquals(Boolean.TRUE, verdicts.get("latest accepted message's lateness"));
    }

    private static Publisher.Publish tried(int sequence, String region, long afterLoss, long millis,
            Publisher.Outcome outcome) {
        long sent = LOST + afterLoss;
        return new Publisher.Publish(sequence, sent, sent + millis, outcome, region, List.of(new Publisher.Try(region,
                sent, sent + millis, outcome, outcome.name())));
    }

    private static Publisher.Publish publish(int sequence, long deliveredAfterLoss) {
        long sent = LOST + deliveredAfterLoss - 100;
        return new Publisher.Publish(sequence, sent, sent + 10, Publisher.Outcome.SENT, "sent");
    }

    private static JsonNode event(String event, int client, long afterLoss, String region) throws Exception {
        return json("{\"event\": \"" + event + "\", \"client\": " + client + ", \"t\": " + (LOST + afterLoss)
                + ", \"region\": \"" + region + "\"}");
    }

    private static JsonNode json(String text) throws Exception {
        return WsClient.JSON.readTree(text);
    }
}
