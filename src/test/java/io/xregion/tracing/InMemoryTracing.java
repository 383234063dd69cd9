package io.xregion.tracing;

import java.util.Map;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * An OpenTelemetry whose spans the test reads: W3C trace context, each span exported to memory as it ends. Bound as
 * the bean {@code openTelemetry} ({@link #bean()}), it is the one xregion uses instead of building its own.
 */
final class InMemoryTracing implements AutoCloseable {

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();

    /** The beans to start the app with (RunningApp.start's second argument). */
    Map<String, Object> bean() {
        return Map.of("openTelemetry", openTelemetry);
    }

    /** The spans finished so far. */
    Spans spans() {
        return new Spans(exported.getFinishedSpanItems());
    }

    @Override
    public void close() {
        openTelemetry.close();
    }
}
