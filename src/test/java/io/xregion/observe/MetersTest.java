package io.xregion.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import io.xregion.dev.DevEmulators;
import io.xregion.servicebus.AcceptedAt;
import io.xregion.servicebus.Outbox;
import io.xregion.testing.AuditSubscription;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.MetricsScrape;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xregion's meters as Prometheus scrapes them from the real app (dev profile, active replication, two local
 * namespaces and Web PubSub instances), after scenarios that make each move: a publish end to end, a message that
 * waited in the outbox, negotiations refused for each reason, processing that fails and is tried again, an outbox
 * that fills up and one whose files are gone. Every xregion series carries the common tags and only its catalogue
 * entry's tags; every catalogue entry that such an app can show is shown.
 */
@Tag("slow")
class MetersTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String USER_HEADER = "X-Test-User";

    /**
     * The entries this app cannot show, and why: they are counted where their scenario is (see the tests named).
     */
    private static final Set<XregionMeter> NOT_HERE = EnumSet.of(
            // the redis duplicate store's (RedisReceiveRoutesTest, TwoAppServersRedisTest)
            XregionMeter.SERVICEBUS_DEDUP_STATE, XregionMeter.SERVICEBUS_DEDUP_CLAIMS,
            XregionMeter.SERVICEBUS_DEDUP_NEAR_CACHE_HITS, XregionMeter.SERVICEBUS_DEDUP_CLAIMS_HELD,
            XregionMeter.SERVICEBUS_DEDUP_CLAIMS_LOST, XregionMeter.SERVICEBUS_DEDUP_DEGRADATIONS,
            XregionMeter.SERVICEBUS_DEDUP_ERRORS,
            // passive replication's (ServiceBusSendRoutesTest, NamespaceLossTest)
            XregionMeter.SERVICEBUS_FAILOVERS, XregionMeter.SERVICEBUS_HEDGES,
            // a message at fault (ServiceBusReceiveRoutesTest, ServiceBusFailureHandlingTest)
            XregionMeter.SERVICEBUS_DEAD_LETTERED, XregionMeter.SERVICEBUS_OUTBOX_REFUSED,
            // message continuity's, off by default (RedisHistoryTest)
            XregionMeter.CONTINUITY_HISTORY_FAILURES, XregionMeter.CONTINUITY_HISTORY_AVAILABLE);

    @TempDir
    Path outboxDirectory;

    private RunningApp app;
    private final AtomicInteger users = new AtomicInteger();

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void everyMeterMovesWithItsScenarioAndCarriesTheCommonTags() throws IOException {
        Map<String, String> properties = new HashMap<>(RunningApp.serviceBusFaultRun(outboxDirectory));
        properties.put("xregion.servicebus.mode", "active");
        // a loaded machine may need more than the fault runs' 1 s for a first send
        properties.put("xregion.servicebus.send.try-timeout-ms", "10000");
        properties.put("xregion.servicebus.outbox.max-messages", "1");
        properties.put("xregion.servicebus.receive.retry.max-retries", "3");
        properties.put("xregion.servicebus.receive.retry.initial-delay-ms", "100");
        properties.put("xregion.servicebus.receive.retry.max-delay-ms", "200");
        properties.put("xregion.webpubsub.negotiate.identity", "header");
        properties.put("xregion.webpubsub.negotiate.header.name", USER_HEADER);
        properties.put("xregion.webpubsub.negotiate.rate-limit.per-user", "3");
        properties.put("xregion.webpubsub.negotiate.rate-limit.per-address", "0");
        app = RunningApp.start(properties);
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> negotiate(nextUser()).status() == 200);
        // a client connects: the event handler counts its events
        try (WsClient client = WsClient.connect(negotiate("watcher").json().get("url").asText(),
                "json.webpubsub.azure.v1")) {
            client.nextJson(Duration.ofSeconds(10));

            publishedEndToEnd();
            negotiationsRefusedForEachReason();
            failingProcessingIsTriedAgain();
            aMessageThatWaitedInTheOutboxIsTimedFromItsPublish();
            anOutboxWhoseFilesAreGoneIsBrokenAndRefuses();
        }
        everyXregionSeriesIsCataloguedWithTheCommonTags();
    }

    /** A publish: both copies carry one acceptance time; this app server processes one and times it. */
    private void publishedEndToEnd() {
        long before = System.currentTimeMillis();
        HttpCalls.Answer answer = publish(1);
        long after = System.currentTimeMillis();
        assertEquals("sent", answer.json().get("status").asText(), answer.body());
        awaitScrape("a delivery timed and both copies seen", s -> s.sum("xregion_delivery_latency_seconds_count") == 1
                && s.sum("xregion_servicebus_replication_lag_seconds_count") == 1);

        MetricsScrape scrape = scrape();
        List<MetricsScrape.Sample> latency = scrape.named("xregion_delivery_latency_seconds_count");
        assertEquals(1, latency.size(), latency.toString());
        assertEquals(Map.of("camelContext", "xregion", "region", "eastus"), latency.get(0).labels());
        // the service-level buckets, cumulative: the message is in the 30 s bucket and every larger one
        assertEquals(1.0, scrape.sum("xregion_delivery_latency_seconds_bucket", "le", "30.0"));
        assertEquals(1.0, scrape.sum("xregion_delivery_latency_seconds_bucket", "le", "+Inf"));
        assertTrue(scrape.sum("xregion_delivery_latency_seconds_sum") <= (System.currentTimeMillis() - before)
                / 1000.0, "timed within the test's own span");
        // the copy seen second: the namespace of the later copy, and the lag between the two
        List<MetricsScrape.Sample> lag = scrape.named("xregion_servicebus_replication_lag_seconds_count");
        assertEquals(1, lag.size(), lag.toString());
        assertTrue(Set.of("eastus", "westus").contains(lag.get(0).labels().get("namespace")), lag.toString());
        assertEquals(1.0, scrape.sum("xregion_servicebus_duplicates_total"), "the other copy was a duplicate");
        assertEquals(1.0, scrape.sum("xregion_servicebus_processed_total"));
        assertEquals(1.0, scrape.sum("xregion_servicebus_outbox_accepting"), "the outbox takes messages");
        assertEquals(0.0, scrape.sum("xregion_servicebus_outbox_broken"));

        // both namespaces' copies carry the same acceptance time, taken while the publish was answered
        List<Long> accepted = new ArrayList<>();
        DevEmulators emulators = app.bean("devEmulators", DevEmulators.class);
        for (String namespace : List.of("eastus", "westus")) {
            List<ServiceBusReceivedMessage> copies = AuditSubscription.messages(
                    emulators.serviceBus().get(namespace), 1, WAIT);
            assertEquals(1, copies.size(), namespace);
            accepted.add(((Number) copies.get(0).getApplicationProperties().get(AcceptedAt.PROPERTY)).longValue());
        }
        assertEquals(accepted.get(0), accepted.get(1), "one acceptance time in both copies");
        assertTrue(accepted.get(0) >= before && accepted.get(0) <= after, accepted + " not in " + before + ".."
                + after);
    }

    private void negotiationsRefusedForEachReason() {
        assertEquals(401, HttpCalls.get(app.url("/negotiate")).status(), "no user header");
        assertEquals(400, negotiate("ann", "?home=nowhere").status(), "no such home");
        for (int n = 0; n < 3; n++) {
            assertEquals(200, negotiate("greedy").status());
        }
        assertEquals(429, negotiate("greedy").status(), "over the per-user limit");
        MetricsScrape scrape = scrape();
        assertEquals(1.0, scrape.sum("xregion_webpubsub_negotiate_refused_total", "reason", "unauthorized"));
        assertEquals(1.0, scrape.sum("xregion_webpubsub_negotiate_refused_total", "reason", "bad-request"));
        assertEquals(1.0, scrape.sum("xregion_webpubsub_negotiate_refused_total", "reason", "too-many"));
        assertTrue(scrape.sum("xregion_webpubsub_negotiations_total", "instance", "eastus") >= 4);
    }

    /** Every Web PubSub instance down: negotiate is refused (503) and the processing fails and is tried again. */
    private void failingProcessingIsTriedAgain() {
        // (the first negotiations may have met no instance yet, before the first health round)
        double noInstance = scrape().sum("xregion_webpubsub_negotiate_refused_total", "reason", "no-instance");
        dev("webpubsub", "eastus", "down");
        dev("webpubsub", "westus", "down");
        Awaitility.await().atMost(WAIT).until(() -> negotiate(nextUser()).status() == 503);
        assertEquals(noInstance + 1, scrape().sum("xregion_webpubsub_negotiate_refused_total", "reason",
                "no-instance"));
        assertEquals(0.0, scrape().sum("xregion_servicebus_processing_retries_total"));

        assertEquals(202, publish(2).status());
        awaitScrape("retries", s -> s.sum("xregion_servicebus_processing_retries_total") >= 2);
        List<MetricsScrape.Sample> retries = scrape().named("xregion_servicebus_processing_retries_total");
        assertTrue(retries.stream().allMatch(s -> Set.of("eastus", "westus").contains(s.labels().get("namespace"))),
                retries.toString());

        dev("webpubsub", "eastus", "up");
        dev("webpubsub", "westus", "up");
        awaitScrape("the retried message processed", s -> s.sum("xregion_servicebus_processed_total") == 2);
        assertTrue(scrape().sum("xregion_webpubsub_health_changes_total", "to", "DOWN") >= 2);
    }

    /**
     * Both namespaces down: a publish waits in the outbox (which, full, refuses the next); its delivery, once a
     * namespace is back, is timed from the publish, not from when the drain sent it.
     */
    private void aMessageThatWaitedInTheOutboxIsTimedFromItsPublish() {
        dev("servicebus", "eastus", "down");
        dev("servicebus", "westus", "down");
        HttpCalls.Answer queued = publish(3);
        long answered = System.currentTimeMillis();
        assertEquals("queued", queued.json().get("status").asText(), queued.body());
        HttpCalls.Answer full = publish(4);
        assertEquals(503, full.status(), full.body());
        MetricsScrape scrape = scrape();
        assertEquals(0.0, scrape.sum("xregion_servicebus_outbox_accepting"), "a full outbox refuses");
        assertEquals(0.0, scrape.sum("xregion_servicebus_outbox_broken"), "full, not broken");
        assertEquals(1.0, scrape.sum("xregion_servicebus_outbox_depth"));

        // the message has waited a while (the drain keeps failing meanwhile) before a namespace comes back
        Awaitility.await().atMost(WAIT).until(() -> app.bean("outbox", Outbox.class).oldestAgeSeconds() >= 1.0);
        double countBefore = scrape().sum("xregion_delivery_latency_seconds_count");
        double sumBefore = scrape().sum("xregion_delivery_latency_seconds_sum");
        long back = System.currentTimeMillis();
        dev("servicebus", "eastus", "up");
        awaitScrape("the outbox's message delivered",
                s -> s.sum("xregion_delivery_latency_seconds_count") == countBefore + 1);
        MetricsScrape after = scrape();
        double latency = after.sum("xregion_delivery_latency_seconds_sum") - sumBefore;
        assertTrue(latency >= (back - answered) / 1000.0, "timed from the publish (" + latency + " s), which was "
                + (back - answered) + " ms before the namespace came back");
        assertEquals(1.0, after.sum("xregion_servicebus_outbox_delivered_total"));
        assertEquals(1.0, after.sum("xregion_servicebus_outbox_accepting"), "empty again: it takes messages");
        assertTrue(after.sum("xregion_servicebus_sends_total", "namespace", "eastus", "outcome", "unavailable") >= 1);
    }

    /** The outbox's files vanish under it: it cannot read its messages, says it is broken and takes no more. */
    private void anOutboxWhoseFilesAreGoneIsBrokenAndRefuses() throws IOException {
        dev("servicebus", "eastus", "down");
        assertEquals("queued", publish(5).json().get("status").asText());
        try (var files = Files.list(outboxDirectory)) {
            for (Path segment : files.filter(p -> p.getFileName().toString().startsWith("segment-")).toList()) {
                Files.delete(segment);
            }
        }
        awaitScrape("the outbox broken", s -> s.sum("xregion_servicebus_outbox_broken") == 1.0);
        assertEquals(0.0, scrape().sum("xregion_servicebus_outbox_accepting"), "a broken outbox refuses");
    }

    /**
     * Every xregion series is a catalogue entry's, with the common tags and the entry's own tag keys; every entry
     * this app can show is there.
     */
    private void everyXregionSeriesIsCataloguedWithTheCommonTags() {
        MetricsScrape scrape = scrape();
        Set<XregionMeter> shown = EnumSet.noneOf(XregionMeter.class);
        List<String> problems = new ArrayList<>();
        for (MetricsScrape.Sample sample : scrape.samples()) {
            if (!sample.name().startsWith("xregion_")) {
                continue;
            }
            XregionMeter meter = entryOf(sample.name());
            if (meter == null) {
                problems.add("not in the catalogue: " + sample.name());
                continue;
            }
            shown.add(meter);
            Set<String> keys = new TreeSet<>(sample.labels().keySet());
            keys.remove("le");
            Set<String> expected = new TreeSet<>(meter.tagKeys());
            expected.addAll(XregionMeter.COMMON_TAGS);
            if (!keys.equals(expected)) {
                problems.add(sample.name() + " has the tags " + keys + ", not " + expected);
            }
            if (!"eastus".equals(sample.labels().get("region"))
                    || !"xregion".equals(sample.labels().get("camelContext"))) {
                problems.add(sample.name() + " " + sample.labels() + ": not region=eastus, camelContext=xregion");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        Set<XregionMeter> missing = EnumSet.complementOf(EnumSet.copyOf(NOT_HERE));
        missing.removeAll(shown);
        assertTrue(missing.isEmpty(), "never shown: " + missing);
        assertFalse(shown.stream().anyMatch(NOT_HERE::contains), "shown after all (take it off NOT_HERE): "
                + shown.stream().filter(NOT_HERE::contains).toList());
    }

    /** The catalogue entry a Prometheus series belongs to (a timer's _bucket, _count, _sum and _max too). */
    private static XregionMeter entryOf(String series) {
        for (XregionMeter meter : XregionMeter.values()) {
            String name = meter.prometheusName();
            if (series.equals(name) || meter.type() == XregionMeter.Type.TIMER
                    && List.of("_bucket", "_count", "_sum", "_max").stream().anyMatch(s -> series.equals(name + s))) {
                return meter;
            }
        }
        return null;
    }

    private MetricsScrape scrape() {
        return MetricsScrape.of(app);
    }

    /** Waits until the scrape shows what is asked; else fails with xregion's series as they were. */
    private void awaitScrape(String what, java.util.function.Predicate<MetricsScrape> condition) {
        try {
            Awaitility.await().atMost(WAIT).until(() -> condition.test(scrape()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + " never came; the xregion series:\n" + String.join("\n",
                    scrape().samples().stream().filter(s -> s.name().startsWith("xregion_")).map(Object::toString)
                            .toList()), e);
        }
    }

    private String nextUser() {
        return "user-" + users.incrementAndGet();
    }

    private HttpCalls.Answer negotiate(String user) {
        return negotiate(user, "");
    }

    private HttpCalls.Answer negotiate(String user, String query) {
        return HttpCalls.call("GET", app.url("/negotiate" + query), Map.of(USER_HEADER, user), null);
    }

    private HttpCalls.Answer publish(int n) {
        return HttpCalls.post(app.url("/publish"), "application/json", "{\"n\":" + n + "}");
    }

    private void dev(String kind, String name, String action) {
        HttpCalls.Answer answer = HttpCalls.post(app.url("/dev/" + kind + "/" + name + "/" + action), null, null);
        assertEquals(200, answer.status(), answer.body());
    }
}
