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
