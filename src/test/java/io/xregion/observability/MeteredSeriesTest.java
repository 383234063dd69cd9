package io.xregion.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import io.xregion.dev.DevEmulators;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RedisServer;
import io.xregion.testing.RunningApp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the dashboard read only series the app really exposes: the real app (dev profile, active
 * replication over its two local namespaces, the redis duplicate store on a real redis-server) is taken through what
 * makes each of its meters exist (a message published and broadcast, its duplicate dropped, a message dead-lettered,
 * every instance down so negotiate refuses and processing is retried, then back), and every metric name the rules'
 * and the panels' PromQL reads must be in its {@code /observe/metrics} (histograms by their {@code _bucket},
 * {@code _sum} and {@code _count} series). A rule or panel naming a meter that was renamed, never made, or spelled
 * wrong fails here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("slow")
class MeteredSeriesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s");

    @TempDir
    static Path outboxDirectory;

    private RedisServer redis;
    private RunningApp app;
    /** Each exposed series name with the label sets it was seen with. */
    private final Map<String, List<String>> exposed = new TreeMap<>();

    @BeforeAll
    void start() {
        redis = RedisServer.start();
        Map<String, String> properties = new HashMap<>(RunningApp.serviceBusFaultRun(outboxDirectory));
        properties.put("xregion.servicebus.mode", "active");
        properties.put("xregion.servicebus.dedup.store", "redis");
        properties.put("xregion.servicebus.dedup.redis.endpoints", redis.url());
        properties.put("xregion.servicebus.receive.retry.max-retries", "1");
        properties.put("xregion.servicebus.receive.retry.initial-delay-ms", "100");
        properties.put("xregion.servicebus.receive.retry.max-delay-ms", "100");
        app = RunningApp.start(properties);
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);

        // a message through both namespaces: sent twice, received twice, broadcast once, one copy a duplicate
        assertEquals(202, publish("metered-1").status());
        Awaitility.await().atMost(WAIT).until(() -> app.meter("xregion.servicebus.processed") >= 1
                && app.meter("xregion.servicebus.duplicates") >= 1);

        // a message from another producer that can never be processed: dead-lettered
        try (ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                .connectionString(devEmulators().serviceBus().get("eastus").connectionString()).sender()
                .topicName("events").buildClient()) {
            sender.sendMessage(new ServiceBusMessage(BinaryData.fromString("not json"))
                    .setContentType("application/json").setMessageId("metered-not-json"));
        }
        Awaitility.await().atMost(WAIT).until(() -> app.meter("xregion.servicebus.dead-lettered") >= 1);

        // every instance down: negotiate refuses (503), processing fails and is retried
        dev("webpubsub", "eastus", "down");
        dev("webpubsub", "westus", "down");
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 503);
        double received = app.meter("xregion.servicebus.received");
        assertEquals(202, publish("metered-2").status());
        // both copies came and at least one came back after processing gave up on it: retried
        Awaitility.await().atMost(WAIT).until(() -> app.meter("xregion.servicebus.received") >= received + 3);
        dev("webpubsub", "eastus", "up");
        dev("webpubsub", "westus", "up");
        Awaitility.await().atMost(WAIT).until(() -> app.meter("xregion.servicebus.processed") >= 2);

        HttpCalls.Answer metrics = HttpCalls.get(app.managementUrl("/observe/metrics"));
        assertEquals(200, metrics.status(), metrics.body());
        for (String line : metrics.body().split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (!line.startsWith("#") && sample.find()) {
                exposed.computeIfAbsent(sample.group(1), k -> new java.util.ArrayList<>())
                        .add(sample.group(2) == null ? "" : sample.group(2));
            }
        }
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void everySeriesTheRulesReadIsExposed() {
        assertAllExposed(ObservabilityFiles.ruleExpressions());
    }

    @Test
    void everySeriesTheDashboardReadsIsExposed() {
        assertAllExposed(ObservabilityFiles.dashboardExpressions());
    }

    /** The rules and panels group by region: every xregion series they read carries it, as this app's region. */
    @Test
    void everySeriesTheyReadCarriesTheRegion() {
        Set<String> read = new TreeSet<>();
        ObservabilityFiles.ruleExpressions().values().forEach(e -> read.addAll(ObservabilityFiles.metricNames(e)));
        ObservabilityFiles.dashboardExpressions().values().forEach(e -> read.addAll(ObservabilityFiles.metricNames(e)));
        Map<String, List<String>> without = new TreeMap<>();
        for (String name : read) {
            for (String labels : exposed.getOrDefault(name, List.of())) {
                if (!labels.contains("region=\"eastus\"")) {
                    without.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(labels);
                }
            }
        }
        assertEquals(Map.of(), without, "series without region=\"eastus\" (the dev profile's primary instance)");
    }

    private void assertAllExposed(Map<String, String> expressions) {
        assertTrue(exposed.containsKey("xregion_webpubsub_instance_up"), "the meters were read: " + exposed.keySet());
        Map<String, Set<String>> missing = new TreeMap<>();
        expressions.forEach((where, expression) -> {
            Set<String> names = ObservabilityFiles.metricNames(expression);
            assertTrue(!names.isEmpty(), where + " reads no metric");
            for (String name : names) {
                if (!exposed.containsKey(name)) {
                    missing.computeIfAbsent(name, k -> new TreeSet<>()).add(where);
                }
            }
        });
        assertEquals(Map.of(), missing, "series no meter defines (name: where it is read); the app exposes "
                + exposed.keySet().stream().filter(n -> n.startsWith("xregion_")).toList());
    }

    private HttpCalls.Answer publish(String id) {
        return HttpCalls.post(app.url("/publish"), "application/json", "{\"id\":\"" + id + "\"}");
    }

    private void dev(String kind, String name, String action) {
        HttpCalls.Answer answer = HttpCalls.post(app.url("/dev/" + kind + "/" + name + "/" + action), null, null);
        assertEquals(200, answer.status(), answer.body());
    }

    private DevEmulators devEmulators() {
        return app.bean("devEmulators", DevEmulators.class);
    }
}
