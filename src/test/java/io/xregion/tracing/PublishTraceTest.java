package io.xregion.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.dev.DevEmulators;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.testing.AuditSubscription;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;

/**
 * One message published through the app (dev profile: two local Web PubSub instances, two local Service Bus
 * namespaces, active replication) makes one trace: POST /publish, a send span per namespace copy, the copy processed
 * and the duplicate dropped, and the broadcast's calls to Web PubSub; read back with an in-memory exporter (the
 * OpenTelemetry bound as a bean, which xregion uses instead of building its own).
 */
@Tag("slow")
class PublishTraceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path outbox;

    private final InMemoryTracing tracing = new InMemoryTracing();
    private RunningApp app;
    private WsClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (app != null) {
            app.close();
        }
        tracing.close();
    }

    @Test
    void oneTraceFromPublishThroughBothNamespacesToTheBroadcast() {
        Map<String, String> settings = new HashMap<>(RunningApp.serviceBusFaultRun(outbox));
        settings.put("xregion.tracing.enabled", "true");
        settings.put("xregion.servicebus.mode", "active");
        app = RunningApp.start(settings, tracing.bean());
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate?userId=reader")).status() == 200);
        client = WsClient.connect(HttpCalls.get(app.url("/negotiate?userId=reader")).json().get("url").asText(),
                "json.webpubsub.azure.v1");
        client.nextJson(Duration.ofSeconds(10));

        String messageId = "trace-" + UUID.randomUUID();
        String body = "{\"secret-body\":\"" + UUID.randomUUID() + "\"}";
        // the caller's own trace (W3C traceparent), which the publish continues
        String callerTrace = UUID.randomUUID().toString().replace("-", "");
        String callerSpan = callerTrace.substring(0, 16);
        HttpCalls.Answer answer = HttpCalls.call("POST", app.url("/publish"),
                Map.of("Content-Type", "application/json", "Idempotency-Key", messageId, "traceparent",
                        "00-" + callerTrace + "-" + callerSpan + "-01"),
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(202, answer.status(), answer.body());
        Awaitility.await().atMost(WAIT).until(() -> {
            WsClient.Frame frame = client.poll(Duration.ofMillis(200));
            return frame != null && frame.text().contains(body.substring(16, body.length() - 2));
        });
        // both copies settled (the duplicate may come after the broadcast), the broadcast's calls ended
        Awaitility.await().atMost(WAIT).until(() -> {
            Spans now = tracing.spans();
            List<SpanData> processed = now.messaging(SpanKind.CONSUMER, messageId);
            return processed.size() == 2 && processed.stream().anyMatch(s -> !now.httpCallsUnder(s).isEmpty()
                    && now.httpCallsUnder(s).size() == 2);
        });
        Spans spans = tracing.spans();

        // the publish: Camel's span of POST /publish
        SpanData publish = single(spans.where(s -> "camel-platform-http".equals(s.getAttributes().get(Spans.COMPONENT))
                && String.valueOf(s.getAttributes().get(Spans.CAMEL_URI)).contains("/publish")));
        String traceId = publish.getTraceId();
        assertEquals(callerTrace, traceId, "the publish continues the caller's trace");
        assertEquals(callerSpan, publish.getParentSpanId());
        System.out.println("The trace of one message (" + messageId + "):\n" + spans.tree(traceId));

        // a send span per namespace copy, under the publish, each accepted
        List<SpanData> sends = spans.messaging(SpanKind.PRODUCER, messageId);
        assertEquals(Set.of("eastus", "westus"), namespaces(sends), "a send span per namespace");
        for (SpanData send : sends) {
            assertEquals(traceId, send.getTraceId());
            assertTrue(spans.under(send, publish), send.getName() + " is not under the publish span");
            assertEquals("send events", send.getName());
            assertEquals("accepted", send.getAttributes().get(Spans.OUTCOME));
            assertEquals("servicebus", send.getAttributes().get(io.opentelemetry.api.common.AttributeKey
                    .stringKey("messaging.system")));
        }

        // each copy carries its send span's context as the Azure SDKs do: traceparent and the same Diagnostic-Id
        for (Map.Entry<String, ServiceBusEmulator> namespace : namespaces().entrySet()) {
            ServiceBusReceivedMessage copy = single(AuditSubscription.messages(namespace.getValue(), 1, WAIT));
            assertEquals(messageId, copy.getMessageId());
            SpanData send = single(sends.stream()
                    .filter(s -> namespace.getKey().equals(s.getAttributes().get(Spans.NAMESPACE))).toList());
            String traceparent = "00-" + traceId + "-" + send.getSpanId() + "-01";
            assertEquals(traceparent, copy.getApplicationProperties().get("traceparent"), namespace.getKey());
            assertEquals(traceparent, copy.getApplicationProperties().get("Diagnostic-Id"), namespace.getKey());
        }

        // a process span per copy, each the child of its own copy's send span and linked to it; one processed (and
        // broadcast to both instances), the other dropped as a duplicate; both completed
        List<SpanData> processed = spans.messaging(SpanKind.CONSUMER, messageId);
        assertEquals(Set.of("eastus", "westus"), namespaces(processed), "a process span per namespace copy");
        for (SpanData process : processed) {
            SpanData send = single(sends.stream().filter(s -> s.getAttributes().get(Spans.NAMESPACE)
                    .equals(process.getAttributes().get(Spans.NAMESPACE))).toList());
            assertEquals(traceId, process.getTraceId());
            assertEquals(send.getSpanId(), process.getParentSpanId(), "the process span's parent is its send span");
            assertEquals(send.getSpanId(), single(process.getLinks()).getSpanContext().getSpanId(),
                    "the process span links to the copy's creation context");
            assertEquals("complete", process.getAttributes().get(Spans.DISPOSITION));
        }
        SpanData kept = single(processed.stream().filter(s -> !s.getAttributes().get(Spans.DUPLICATE)).toList());
        SpanData dropped = single(processed.stream().filter(s -> s.getAttributes().get(Spans.DUPLICATE)).toList());
        assertNotNull(dropped);
        List<SpanData> calls = spans.httpCallsUnder(kept);
        assertEquals(2, calls.size(), "a broadcast call to each Web PubSub instance");
        assertEquals(Set.of(authority("eastus"), authority("westus")), calls.stream()
                .map(c -> authorityOf(c.getAttributes().get(Spans.CAMEL_URI))).collect(Collectors.toSet()));
        calls.forEach(call -> assertEquals(traceId, call.getTraceId()));
        assertEquals(List.of(), spans.httpCallsUnder(dropped), "the duplicate is not broadcast");

        // the next publish on the same app server is a trace of its own: nothing of the first one's is left current
        // on a thread it used
        String next = "trace-" + UUID.randomUUID();
        assertEquals(202, HttpCalls.call("POST", app.url("/publish"), Map.of("Content-Type", "application/json",
                "Idempotency-Key", next), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)).status());
        Spans after = Awaitility.await().atMost(WAIT).until(() -> tracing.spans(),
                now -> now.messaging(SpanKind.PRODUCER, next).size() == 2);
        for (SpanData send : after.messaging(SpanKind.PRODUCER, next)) {
            SpanData root = send;
            while (after.parent(root) != null) {
                root = after.parent(root);
            }
            assertFalse(traceId.equals(send.getTraceId()), "the next publish's send joined the first trace");
            assertTrue(String.valueOf(root.getAttributes().get(Spans.CAMEL_URI)).contains("/publish"),
                    "the next publish's send is not under its POST /publish: " + root.getName());
            assertFalse(root.getParentSpanContext().isValid(), "the next publish has no caller's trace");
        }

        // no span holds the body or a key
        List<String> secrets = Stream.concat(Stream.of(body.substring(16, body.length() - 2)),
                Stream.concat(namespaces().values().stream().map(ServiceBusEmulator::connectionString),
                        webPubSub().values().stream().map(WebPubSubEmulator::connectionString))
                        .map(PublishTraceTest::key)).toList();
        for (SpanData span : spans.all()) {
            span.getAttributes().forEach((key, value) -> secrets.forEach(secret -> assertFalse(
                    String.valueOf(value).contains(secret), span.getName() + " " + key + " holds a secret")));
        }
    }

    private Map<String, ServiceBusEmulator> namespaces() {
        return app.bean("devEmulators", DevEmulators.class).serviceBus();
    }

    private Map<String, WebPubSubEmulator> webPubSub() {
        return app.bean("devEmulators", DevEmulators.class).webPubSub();
    }

    private String authority(String instance) {
        return webPubSub().get(instance).endpoint().getRawAuthority();
    }

    private static String authorityOf(String uri) {
        return java.net.URI.create(uri.replaceFirst("\\?.*", "")).getRawAuthority();
    }

    private static String key(String connectionString) {
        for (String part : connectionString.split(";")) {
            if (part.startsWith("AccessKey=") || part.startsWith("SharedAccessKey=")) {
                return part.substring(part.indexOf('=') + 1);
            }
        }
        throw new AssertionError("no key in a connection string");
    }

    private static Set<String> namespaces(List<SpanData> spans) {
        return spans.stream().map(s -> s.getAttributes().get(Spans.NAMESPACE)).collect(Collectors.toSet());
    }

    private static <T> T single(List<T> items) {
        assertEquals(1, items.size(), "expected exactly one: " + items);
        return items.get(0);
    }
}
