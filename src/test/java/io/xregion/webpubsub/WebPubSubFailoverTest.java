package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.xregion.dev.DevEmulators;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import com.nimbusds.jwt.SignedJWT;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.LogCapture;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import io.xregion.health.HealthState;

/**
 * End to end: real WebSocket clients that get their URL from negotiate, two local Web PubSub instances, and the
 * dev control API pulling the primary down and up.
 */
@Tag("slow")
class WebPubSubFailoverTest {

    private static final int INTERVAL = 1000;
    private static final int PROBE_TIMEOUT = 1000;
    private static final int PACE = 300;
    private static final int SHARDS = 4;
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String PROTOCOL = "json.webpubsub.azure.v1";

    private RunningApp app;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(INTERVAL, PROBE_TIMEOUT));
        properties.put("xregion.webpubsub.failback.pace-ms", Integer.toString(PACE));
        properties.put("xregion.webpubsub.home-groups.shards", Integer.toString(SHARDS));
        app = RunningApp.start(properties);
        awaitRegion("eastus", WAIT);
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        app.close();
    }

    private JsonNode negotiate(String userId) {
        HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate?userId=" + userId));
        assertEquals(200, answer.status(), answer.body());
        return answer.json();
    }

    private WsClient connect(String userId) {
        WsClient client = WsClient.connect(negotiate(userId).get("url").asText(), PROTOCOL);
        clients.add(client);
        assertEquals("connected", client.nextJson(WAIT).get("event").asText());
        return client;
    }

    private void dev(String instance, String action) {
        HttpCalls.Answer answer = HttpCalls.post(app.url("/dev/webpubsub/" + instance + "/" + action), null, null);
        assertEquals(200, answer.status(), answer.body());
    }

    /** Polls negotiate until it names the region; returns how long that took. */
    private Duration awaitRegion(String region, Duration deadline) {
        long start = System.nanoTime();
        Awaitility.await().atMost(deadline).pollInterval(Duration.ofMillis(20)).until(() -> {
            HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate"));
            return answer.status() == 200 && region.equals(answer.json().get("region").asText());
        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private WebPubSubServiceClient sdkFor(String instance) {
        String connectionString = app.bean("devEmulators", DevEmulators.class).webPubSub().get(instance)
                .connectionString();
        return new WebPubSubServiceClientBuilder().connectionString(connectionString).hub("chat").buildClient();
    }

    @Test
    void primaryDownMovesNegotiateAndBroadcastsToTheSecondaryThenBack() {
        WsClient alice = connect("alice");

        Instant down = Instant.now();
        dev("eastus", "down");
        Duration failover = awaitRegion("westus", WAIT);
        System.out.printf("failover: negotiate answered westus %d ms after eastus went down%n", failover.toMillis());
        // how soon an outage is seen is a figure of the region-loss drill (its detection target); here it is printed
        InstanceHealth.Snapshot eastus = app.bean("webPubSubHealth", WebPubSubHealth.class).snapshots().stream()
                .filter(s -> s.instance().equals("eastus")).findFirst().orElseThrow();
        assertEquals(HealthState.DOWN, eastus.state());
        System.out.printf("detection: eastus marked DOWN %d ms after it went down (interval %d ms, probe timeout "
                + "%d ms)%n", Duration.between(down, eastus.since()).toMillis(), INTERVAL, PROBE_TIMEOUT);
        // negotiate moved because the health check marked eastus DOWN, once, not because of anything else
        MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
        assertEquals(0.0, meters.get("xregion.webpubsub.instance.up").tags("instance", "eastus").gauge().value());
        // the change is counted by the route that logs it, just after negotiate can see it
        Awaitility.await().atMost(WAIT).until(() -> meters.find("xregion.webpubsub.health.changes")
                .tags("instance", "eastus", "to", "DOWN").counters().stream().mapToDouble(c -> c.count()).sum() > 0);
        assertEquals(1.0, meters.get("xregion.webpubsub.health.changes").tags("instance", "eastus", "to", "DOWN")
                .counter().count(), "one outage, one change");

        // the outage dropped alice; she negotiates again and lands on the secondary
        alice.awaitClose(WAIT);
        WsClient aliceAgain = connect("alice");
        HttpCalls.Answer broadcast = HttpCalls.post(app.url("/broadcast"), "text/plain", "after failover");
        assertEquals(202, broadcast.status(), broadcast.body());
        assertEquals("skipped", broadcast.json().get("instances").get("eastus").get("status").asText());
        assertEquals("accepted", broadcast.json().get("instances").get("westus").get("status").asText());
        assertEquals("after failover", aliceAgain.nextJson(WAIT).get("data").asText());

        dev("eastus", "up");
        Duration failbackNegotiate = awaitRegion("eastus", WAIT);
        System.out.printf("recovery: negotiate answered eastus again %d ms after eastus came up%n",
                failbackNegotiate.toMillis());
        // and broadcasts reach the primary's clients again
        WsClient bob = connect("bob");
        HttpCalls.Answer back = HttpCalls.post(app.url("/broadcast"), "text/plain", "back home");
        assertEquals(202, back.status(), back.body());
        assertEquals("accepted", back.json().get("instances").get("eastus").get("status").asText(), back.body());
        assertEquals("back home", bob.nextJson(WAIT).get("data").asText());
    }

    @Test
    void anUnhealthyPrimaryIsAvoidedAndOneFailedProbeChangesNothing() {
        dev("eastus", "unhealthy");
        awaitRegion("westus", WAIT);
        dev("eastus", "up");
        awaitRegion("eastus", WAIT);

        // a single failed probe is not an outage: the app sees it (the emulator answered 503 once), re-probes, and
        // eastus stays UP
        MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
        Awaitility.await().atMost(WAIT).until(() -> meters.find("xregion.webpubsub.health.changes")
                .tags("instance", "eastus", "to", "UP").counters().stream().mapToDouble(c -> c.count()).sum() >= 2);
        WebPubSubEmulator eastus = app.bean("devEmulators", DevEmulators.class).webPubSub().get("eastus");
        long checks = eastus.healthChecks();
        eastus.failHealthChecks(1);
        Awaitility.await().atMost(WAIT).until(() -> eastus.healthChecks() >= checks + 3);
        assertEquals(1.0, meters.get("xregion.webpubsub.health.changes").tags("instance", "eastus", "to", "DOWN")
                .counter().count(), "only the unhealthy spell was an outage");
        assertEquals(1.0, meters.get("xregion.webpubsub.instance.up").tags("instance", "eastus").gauge().value());
        assertEquals("eastus", negotiate("carol").get("region").asText());
    }

    @Test
    void failbackClosesOnlyOurHomeClientsOneShardGroupAtATimeThePaceApart() throws Exception {
        // a started app server runs failback once its primary is first UP (its clients may be on a secondary): let
        // that one finish, every shard group closed on westus, before the outage
        Awaitility.await().atMost(WAIT).until(() -> failbackCloses() == SHARDS);
        dev("eastus", "down");
        awaitRegion("westus", WAIT);

        // home clients: negotiated while eastus was down, so they sit on westus in eastus's home groups
        Map<String, WsClient> home = new LinkedHashMap<>();
        Map<String, Integer> shardOf = new HashMap<>();
        for (int i = 0; shardOf.size() < 2 * SHARDS; i++) {
            String user = "user-" + i;
            JsonNode answer = negotiate(user);
            assertEquals("westus", answer.get("region").asText());
            String token = answer.get("url").asText().replaceAll(".*access_token=", "");
            @SuppressWarnings("unchecked")
            String group = ((List<String>) SignedJWT.parse(token).getJWTClaimsSet().getClaim("webpubsub.group")).get(0);
            int shard = Integer.parseInt(group.substring(group.lastIndexOf('.') + 1));
            if (shardOf.values().stream().filter(s -> s == shard).count() < 2) {
                shardOf.put(user, shard);
                WsClient client = WsClient.connect(answer.get("url").asText(), PROTOCOL);
                clients.add(client);
                client.nextJson(WAIT);
                home.put(user, client);
            }
        }
        // westus's own clients, as westus's app server would mint them: same instance, another region's home groups
        WebPubSubServiceClient westus = sdkFor("westus");
        List<WsClient> westusOwn = new ArrayList<>();
        for (int shard = 0; shard < 2; shard++) {
            WsClient client = WsClient.connect(westus.getClientAccessToken(new GetClientAccessTokenOptions()
                    .setUserId("west-" + shard).addGroup("xregion.home.westus." + shard)).getUrl(), PROTOCOL);
            clients.add(client);
            client.nextJson(WAIT);
            westusOwn.add(client);
        }

        Map<String, WsClient.Closed> closed = new LinkedHashMap<>();
        long up;
        List<LogCapture.Line> waves;
        try (LogCapture logs = LogCapture.begin()) {
            up = System.nanoTime();
            dev("eastus", "up");
            home.forEach((user, client) -> {
                JsonNode disconnected = client.nextJson(Duration.ofSeconds(10));
                assertEquals("disconnected", disconnected.get("event").asText());
                assertTrue(disconnected.get("message").asText().contains("home region"));
                closed.put(user, client.awaitClose(WAIT));
            });
            // the failback is over once every shard was tried; westus's own clients are still there
            Awaitility.await().atMost(WAIT).until(() -> failbackCloses() == 2 * SHARDS);
            waves = logs.lines("Failback closed home group");
        }

        // one shard group at a time, the pace between them: the route logs each close before it waits the pace and
        // the next close after, so consecutive lines are at least the pace apart however loaded the machine (load
        // only makes them later); without the wait they would be one REST call apart
        assertEquals(SHARDS, waves.size(), waves.toString());
        for (int i = 1; i < waves.size(); i++) {
            long gapNanos = waves.get(i).atNanos() - waves.get(i - 1).atNanos();
            assertTrue(gapNanos >= TimeUnit.MILLISECONDS.toNanos(PACE), "shard groups " + i + " and " + (i + 1)
                    + " were closed " + TimeUnit.NANOSECONDS.toMicros(gapNanos) + " µs apart, under the pace of "
                    + PACE + " ms");
        }
        TreeMap<Long, Integer> firstCloseOfShard = new TreeMap<>();
        Map<Integer, Long> byShard = new TreeMap<>();
        closed.forEach((user, c) -> byShard.merge(shardOf.get(user), c.atNanos(), Math::min));
        byShard.forEach((shard, at) -> firstCloseOfShard.put(at, shard));
        List<Long> times = new ArrayList<>(firstCloseOfShard.keySet());
        System.out.printf("failback: %d home clients closed in %d waves over %d ms after eastus came up%n",
                closed.size(), times.size(), (times.get(times.size() - 1) - up) / 1_000_000);
        westusOwn.forEach(client -> assertFalse(client.isClosed(), "another region's client was closed"));

        // the closed clients come home
        assertEquals("eastus", negotiate("user-0").get("region").asText());
    }

    /** Failback closes westus accepted, since the app started. */
    private double failbackCloses() {
        MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
        return meters.find("xregion.webpubsub.calls")
                .tags("operation", "failback-close", "instance", "westus", "outcome", "accepted").counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void clientEventsReachTheEventHandlerAndAreBroadcastToEveryRegion() {
        WsClient onEastus = connect("sender");
        WsClient onWestus = WsClient.connect(sdkFor("westus").getClientAccessToken(new GetClientAccessTokenOptions()
                .setUserId("listener")).getUrl(), PROTOCOL);
        clients.add(onWestus);
        onWestus.nextJson(WAIT);

        onEastus.sendJson(Map.of("type", "event", "event", "chat", "dataType", "text", "data", "hello regions",
                "ackId", 1));
        List<JsonNode> atSender = List.of(onEastus.nextJson(WAIT), onEastus.nextJson(WAIT));
        assertTrue(atSender.stream().anyMatch(f -> f.path("type").asText().equals("ack")
                && f.get("success").asBoolean()), atSender.toString());
        assertTrue(atSender.stream().anyMatch(f -> "hello regions".equals(f.path("data").asText())),
                atSender.toString());
        JsonNode atListener = onWestus.nextJson(WAIT);
        assertEquals("server", atListener.get("from").asText());
        assertEquals("hello regions", atListener.get("data").asText());
    }

    @Test
    void whenEveryInstanceIsDownNegotiateAndBroadcastAnswer503AndReadinessIsDown() {
        dev("eastus", "down");
        dev("westus", "down");
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 503);
        HttpCalls.Answer negotiate = HttpCalls.get(app.url("/negotiate"));
        assertEquals("NoHealthyInstance", negotiate.json().get("error").get("code").asText());
        assertEquals("1", negotiate.header("Retry-After"));

        HttpCalls.Answer broadcast = HttpCalls.post(app.url("/broadcast"), "text/plain", "anyone?");
        assertEquals(503, broadcast.status());
        // every instance known DOWN at once: each is tried all the same (WebPubSubRouting.fanoutTargets), and refuses
        assertEquals("unavailable", broadcast.json().get("instances").get("eastus").get("status").asText());
        assertEquals("unavailable", broadcast.json().get("instances").get("westus").get("status").asText());
        assertEquals(503, HttpCalls.get(app.managementUrl("/observe/health/ready")).status());
        assertEquals(200, HttpCalls.get(app.managementUrl("/observe/health/live")).status());
    }
}
