package io.xregion.tracing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;

/**
 * The spans an app server wrote with {@code otel.traces.exporter = experimental-otlp/stdout}: OTLP JSON, one export
 * per line of its output, read back as the SDK's span data.
 */
final class OtlpJsonSpans {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SpanKind[] KINDS = {SpanKind.INTERNAL, SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT,
        SpanKind.PRODUCER, SpanKind.CONSUMER};

    private OtlpJsonSpans() {
    }

    /** Every span in the output so far (a line still being written is skipped). */
    static List<SpanData> read(Path output) {
        List<SpanData> spans = new ArrayList<>();
        String text;
        try {
            text = new String(Files.readAllBytes(output), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : text.split("\n")) {
            int start = line.indexOf("{\"resourceSpans\"");
            if (start < 0) {
                continue;
            }
            JsonNode export;
            try {
                export = JSON.readTree(line.substring(start));
            } catch (IOException e) {
                continue;
            }
            for (JsonNode resourceSpans : export.path("resourceSpans")) {
                Resource resource = Resource.create(attributes(resourceSpans.path("resource").path("attributes")));
                for (JsonNode scopeSpans : resourceSpans.path("scopeSpans")) {
                    InstrumentationScopeInfo scope = InstrumentationScopeInfo.create(
                            scopeSpans.path("scope").path("name").asText("unknown"));
                    for (JsonNode span : scopeSpans.path("spans")) {
                        spans.add(span(span, resource, scope));
                    }
                }
            }
        }
        return spans;
    }

    private static SpanData span(JsonNode span, Resource resource, InstrumentationScopeInfo scope) {
        String traceId = span.path("traceId").asText();
        List<LinkData> links = new ArrayList<>();
        for (JsonNode link : span.path("links")) {
            links.add(LinkData.create(context(link.path("traceId").asText(), link.path("spanId").asText())));
        }
        String parent = span.path("parentSpanId").asText("");
        Attributes attributes = attributes(span.path("attributes"));
        return TestSpanData.builder().setName(span.path("name").asText())
                .setKind(KINDS[Math.min(span.path("kind").asInt(1), KINDS.length - 1)])
                .setSpanContext(context(traceId, span.path("spanId").asText()))
                .setParentSpanContext(parent.isEmpty() ? SpanContext.getInvalid() : context(traceId, parent))
                .setResource(resource).setInstrumentationScopeInfo(scope)
                .setStartEpochNanos(span.path("startTimeUnixNano").asLong())
                .setEndEpochNanos(span.path("endTimeUnixNano").asLong()).setHasEnded(true)
                .setAttributes(attributes).setLinks(links).setStatus(StatusData.unset()).setEvents(List.of())
                .setTotalRecordedEvents(0).setTotalRecordedLinks(links.size())
                .setTotalAttributeCount(attributes.size()).build();
    }

    private static SpanContext context(String traceId, String spanId) {
        return SpanContext.createFromRemoteParent(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault());
    }

    private static Attributes attributes(JsonNode list) {
        AttributesBuilder attributes = Attributes.builder();
        for (JsonNode attribute : list) {
            String key = attribute.path("key").asText();
            JsonNode value = attribute.path("value");
            if (value.has("boolValue")) {
                attributes.put(AttributeKey.booleanKey(key), value.get("boolValue").asBoolean());
            } else if (value.has("intValue")) {
                attributes.put(AttributeKey.longKey(key), value.get("intValue").asLong());
            } else {
                attributes.put(AttributeKey.stringKey(key), value.path("stringValue").asText());
            }
        }
        return attributes.build();
    }
}
