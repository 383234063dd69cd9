package io.xregion.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.AppServerProcess;
import io.xregion.testing.Closer;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RedisServer;
import io.xregion.testing.TestSettings;
import io.xregion.testing.WsClient;

/**
 * One trace across two app servers, each its own JVM (eastus's and westus's, production profile, the redis duplicate
 * store, tracing on with the OTLP JSON exporter on standard output, read back from each one's output): a message
 * published to eastus's app server and processed by westus's is one trace, from eastus's POST /publish and its send
 * spans to westus's process span (whose parent is eastus's send span of that copy) and westus's broadcast calls; the
 * other copy's process span, wherever it ran, is in the same trace and marked a duplicate. The trace context crossed
 * between the processes only inside the Service Bus message.
 *
 * <p>Which app server gets which copy is the namespaces' dispatch to their competing receivers, so messages are
 * published one at a time (at most ten) until one was processed by westus's app server.
 */
@Tag("slow")
class TraceAcrossAppServersTest {

    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @RegisterExtension
    final Closer closer = new Closer();
    private final ExternalServices services = closer.add(new ExternalServices());
    private final RedisServer redis = closer.add(RedisServer.start());
    private WsClient client;

    @Test
    void aMessagePublishedInOneRegionAndProcessedInTheOtherIsOneTrace() throws Exception {
        CompletableFuture<AppServerProcess> west = CompletableFuture.supplyAsync(() -> start("westus"));
        AppServerProcess east = start("eastus");
        closer.add(east);
        closer.add(west.join());
        Awaitility.await().atMost(START)
                .until(() -> HttpCalls.get(east.url("/negotiate?userId=reader")).status() == 200);
        client = closer.add(WsClient.connect(HttpCalls.get(east.url("/negotiate?userId=reader")).json().get("url")
                .asText(), "json.webpubsub.azure.v1"));
        client.nextJson(Duration.ofSeconds(10));

        String processedInWest = null;
        for (int n = 0; n < 10 && processedInWest == null; n++) {
            String messageId = "across-" + n;
            HttpCalls.Answer answer = HttpCalls.call("POST", east.url("/publish"),
                    Map.of("Content-Type", "application/json", "Idempotency-Key", messageId),
                    ("{\"n\":" + n + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(202, answer.status(), answer.body());
            String marker = "\"n\":" + n;
            Awaitility.await().atMost(WAIT).until(() -> {
                WsClient.Frame frame = client.poll(Duration.ofMillis(200));
                return frame != null && frame.text().contains(marker);
            });
            // both copies' process spans exported, and the broadcast's calls under the one processed
            Spans spans = Awaitility.await().atMost(WAIT).until(this::spans, now -> {
                List<SpanData> processed = now.messaging(SpanKind.CONSUMER, messageId);
                return processed.stream().anyMatch(s -> Boolean.TRUE.equals(s.getAttributes().get(Spans.DUPLICATE)))
                        && processed.stream().anyMatch(s -> Boolean.FALSE.equals(s.getAttributes()
                                .get(Spans.DUPLICATE)) && now.httpCallsUnder(s).size() == 2);
            });
            SpanData kept = kept(spans, messageId);
            if ("westus".equals(kept.getResource().getAttribute(Spans.REGION))) {
                processedInWest = messageId;
            }
        }
        assertTrue(processedInWest != null, "westus's app server processed none of ten messages");

        Spans spans = spans();
        String messageId = processedInWest;
        SpanData publish = single(spans.where(s -> "camel-platform-http".equals(s.getAttributes().get(Spans.COMPONENT))
                && String.valueOf(s.getAttributes().get(Spans.CAMEL_URI)).contains("/publish")
                && spans.messaging(SpanKind.PRODUCER, messageId).stream().anyMatch(send -> spans.under(send, s))));
        String traceId = publish.getTraceId();
        System.out.println("The trace of " + messageId + ", across two app servers:\n" + spans.tree(traceId));

        assertEquals("eastus", publish.getResource().getAttribute(Spans.REGION));
        List<SpanData> sends = spans.messaging(SpanKind.PRODUCER, messageId);
        assertEquals(Set.of("eastus", "westus"), sends.stream().map(s -> s.getAttributes().get(Spans.NAMESPACE))
                .collect(Collectors.toSet()));
        for (SpanData send : sends) {
            assertEquals("eastus", send.getResource().getAttribute(Spans.REGION), "sent by the publishing app server");
            assertTrue(spans.under(send, publish));
        }
        SpanData kept = kept(spans, messageId);
        assertEquals("westus", kept.getResource().getAttribute(Spans.REGION));
        SpanData keptSend = single(sends.stream().filter(s -> s.getAttributes().get(Spans.NAMESPACE)
                .equals(kept.getAttributes().get(Spans.NAMESPACE))).toList());
        assertEquals(keptSend.getSpanId(), kept.getParentSpanId(), "westus's process span continues eastus's send");
        assertEquals(traceId, kept.getTraceId());
        List<SpanData> calls = spans.httpCallsUnder(kept);
        assertEquals(2, calls.size(), "westus's broadcast calls both instances");
        calls.forEach(call -> {
            assertEquals(traceId, call.getTraceId());
            assertEquals("westus", call.getResource().getAttribute(Spans.REGION));
        });
        List<SpanData> duplicates = spans.messaging(SpanKind.CONSUMER, messageId).stream()
                .filter(s -> Boolean.TRUE.equals(s.getAttributes().get(Spans.DUPLICATE))).toList();
        assertTrue(!duplicates.isEmpty());
        for (SpanData duplicate : duplicates) {
            assertEquals(traceId, duplicate.getTraceId());
            assertEquals(List.of(), spans.httpCallsUnder(duplicate));
        }
    }

    private AppServerProcess start(String region) {
        Map<String, String> settings = TestSettings.production(services).redisStore(redis, region + "-app")
                .with("xregion.webpubsub.primary", region)
                .with("xregion.servicebus.outbox.directory", work.resolve(region + "-outbox").toString())
                .with("xregion.leadership.file.root", work.resolve(region + "-leadership").toString())
                // one message at a time per namespace: the copies of a message spread over both app servers
                .with("xregion.servicebus.receive.max-concurrent-calls", "1")
                .with("xregion.webpubsub.health.timeout-ms", "3000")
                .with("xregion.webpubsub.health.failure-threshold", "5")
                // tracing on, exported as OTLP JSON lines to the process's output, soon after each span ends
                .with("xregion.tracing.enabled", "true")
                .with("otel.traces.exporter", "experimental-otlp/stdout")
                .with("otel.bsp.schedule.delay", "100").build();
        try {
            return AppServerProcess.start(settings, logName(region), START);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String logName(String region) {
        return "trace-across-app-servers-" + region;
    }

    /** The spans both app servers exported so far. */
    private Spans spans() {
        List<SpanData> all = new ArrayList<>();
        for (String region : List.of("eastus", "westus")) {
            all.addAll(OtlpJsonSpans.read(Path.of("target", logName(region) + ".log")));
        }
        return new Spans(all);
    }

    /** The copy that was processed (not dropped) and broadcast. */
    private static SpanData kept(Spans spans, String messageId) {
        return single(spans.messaging(SpanKind.CONSUMER, messageId).stream()
                .filter(s -> Boolean.FALSE.equals(s.getAttributes().get(Spans.DUPLICATE))
                        && !spans.httpCallsUnder(s).isEmpty()).toList());
    }

    private static <T> T single(List<T> items) {
        assertEquals(1, items.size(), "expected exactly one: " + items);
        return items.get(0);
    }
}
