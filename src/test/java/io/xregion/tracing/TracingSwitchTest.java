package io.xregion.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.dev.DevEmulators;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.testing.AuditSubscription;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;

/** Tracing is off unless switched on, and a bad tracing setting stops the start, naming it and hiding its value. */
@Tag("slow")
class TracingSwitchTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path outbox;

    @Test
    void offByDefaultNoSpanIsMadeAndNoMessageCarriesATraceContext() {
        InMemorySpanExporter exported = InMemorySpanExporter.create();
        try (OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider
                .builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build()).build();
                RunningApp app = RunningApp.start(RunningApp.serviceBusFaultRun(outbox),
                        Map.of("openTelemetry", openTelemetry))) {
            Awaitility.await().atMost(WAIT)
                    .until(() -> HttpCalls.get(app.url("/negotiate?userId=reader")).status() == 200);
            try (WsClient client = WsClient.connect(HttpCalls.get(app.url("/negotiate?userId=reader")).json()
                    .get("url").asText(), "json.webpubsub.azure.v1")) {
                client.nextJson(Duration.ofSeconds(10));
                String mark = UUID.randomUUID().toString();
                assertEquals(202, HttpCalls.post(app.url("/publish"), "application/json",
                        "{\"mark\":\"" + mark + "\"}").status());
                Awaitility.await().atMost(WAIT).until(() -> {
                    WsClient.Frame frame = client.poll(Duration.ofMillis(200));
                    return frame != null && frame.text().contains(mark);
                });
            }
            assertFalse(app.bean(Tracing.BEAN, Tracing.class).enabled());
            for (ServiceBusEmulator namespace : app.bean("devEmulators", DevEmulators.class).serviceBus().values()) {
                ServiceBusReceivedMessage copy = AuditSubscription.messages(namespace, 1, WAIT).get(0);
                assertFalse(copy.getApplicationProperties().containsKey("traceparent"));
                assertFalse(copy.getApplicationProperties().containsKey("Diagnostic-Id"));
            }
            assertEquals(List.of(), exported.getFinishedSpanItems());
        }
    }

    @Test
    void anUnknownExporterStopsTheStartNamingTheKey() {
        String message = startFailure(Map.of("xregion.tracing.enabled", "true", "otel.traces.exporter", "nope"));
        assertTrue(message.startsWith("Tracing (xregion.tracing.enabled = true) cannot start:"), message);
        assertTrue(message.contains("otel.traces.exporter"), message);
    }

    @Test
    void aMalformedCollectorCredentialStopsTheStartWithoutShowingIt() {
        String secret = "Bearer-" + UUID.randomUUID();
        String message = startFailure(Map.of("xregion.tracing.enabled", "true", "otel.exporter.otlp.headers",
                "Authorization " + secret));
        assertTrue(message.contains("otel.exporter.otlp.headers"), message);
        assertFalse(message.contains(secret), message);
    }

    @Test
    void anExcludePatternCamelCouldNeverMatchStopsTheStart() {
        String message = startFailure(Map.of("xregion.tracing.enabled", "true", "xregion.tracing.exclude-patterns",
                "timer:*,direct:[oops"));
        assertEquals("xregion.tracing.exclude-patterns: 'direct:[oops' is neither an endpoint URI, a prefix ending in "
                + "* nor a regular expression", message);
    }

    @Test
    void camelsSwitchAndXregionsTogetherAreRefused() {
        String message = startFailure(Map.of("xregion.tracing.enabled", "true", "camel.opentelemetry2.enabled",
                "true"));
        assertTrue(message.contains("would trace every route twice"), message);
    }

    private String startFailure(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(RunningApp.serviceBusFaultRun(outbox));
        all.putAll(settings);
        Exception failure = assertThrows(Exception.class, () -> RunningApp.start(all).close());
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
