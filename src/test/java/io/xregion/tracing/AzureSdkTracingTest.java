package io.xregion.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.azure.core.tracing.opentelemetry.OpenTelemetryTracingOptions;
import com.azure.core.util.ClientOptions;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.dev.DevEmulators;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;

/**
 * xregion carries the trace context as azure-messaging-servicebus (7.17, with azure-core-tracing-opentelemetry) does,
 * both ways: the SDK's processor continues a copy xregion sent (its {@code ServiceBus.process} span is a child of
 * xregion's send span), and xregion continues a message the traced SDK sent (its process span is a child of the
 * SDK's {@code ServiceBus.message} span).
 */
@Tag("slow")
class AzureSdkTracingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path outbox;

    private final InMemoryTracing tracing = new InMemoryTracing();
    private final ClientOptions tracedSdk = new ClientOptions()
            .setTracingOptions(new OpenTelemetryTracingOptions().setOpenTelemetry(tracing.openTelemetry));
    private RunningApp app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        tracing.close();
    }

    @Test
    void theSdksSpansAndXregionsJoinInOneTraceBothWays() {
        Map<String, String> settings = new HashMap<>(RunningApp.serviceBusFaultRun(outbox));
        settings.put("xregion.tracing.enabled", "true");
        app = RunningApp.start(settings, tracing.bean());
        ServiceBusEmulator eastus = app.bean("devEmulators", DevEmulators.class).serviceBus().get("eastus");

        // xregion sends, the traced SDK processes (the audit subscription)
        try (ServiceBusProcessorClient processor = new ServiceBusClientBuilder().clientOptions(tracedSdk)
                .connectionString(eastus.connectionString()).processor().topicName("events")
                .subscriptionName("audit").processMessage(context -> {
                }).processError(context -> {
                }).buildProcessorClient()) {
            processor.start();
            assertEquals(202, HttpCalls.call("POST", app.url("/publish"), Map.of("Content-Type", "application/json",
                    "Idempotency-Key", "to-the-sdk"), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .status());
            SpanData sdkProcess = Awaitility.await().atMost(WAIT).until(() -> single(spans().where(s -> s
                    .getName().equals("ServiceBus.process") && s.getKind() == SpanKind.CONSUMER)), s -> s != null);
            SpanData send = single(spans().messaging(SpanKind.PRODUCER, "to-the-sdk").stream()
                    .filter(s -> "eastus".equals(s.getAttributes().get(Spans.NAMESPACE))).toList());
            assertEquals(send.getSpanId(), sdkProcess.getParentSpanId(),
                    "the SDK's process span continues xregion's send span");
            assertEquals(send.getTraceId(), sdkProcess.getTraceId());
        }

        // the traced SDK sends, xregion processes
        try (ServiceBusSenderClient sender = new ServiceBusClientBuilder().clientOptions(tracedSdk)
                .connectionString(eastus.connectionString()).sender().topicName("events").buildClient()) {
            sender.sendMessage(new ServiceBusMessage("{}").setMessageId("from-the-sdk")
                    .setContentType("application/json"));
        }
        SpanData process = Awaitility.await().atMost(WAIT)
                .until(() -> single(spans().messaging(SpanKind.CONSUMER, "from-the-sdk")), s -> s != null);
        SpanData sdkMessage = single(spans().where(s -> s.getName().equals("ServiceBus.message")
                && s.getKind() == SpanKind.PRODUCER));
        assertEquals(sdkMessage.getSpanId(), process.getParentSpanId(),
                "xregion's process span continues the SDK's message span");
        assertEquals(sdkMessage.getTraceId(), process.getTraceId());
    }

    private Spans spans() {
        return tracing.spans();
    }

    /** The one span, or null while there is none (more than one fails). */
    private static SpanData single(List<SpanData> spans) {
        if (spans.size() > 1) {
            throw new AssertionError("more than one: " + spans);
        }
        return spans.isEmpty() ? null : spans.get(0);
    }
}
