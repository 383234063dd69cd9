package io.xregion.tracing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;

/** A test's view of finished spans: find them, follow parents, print a trace as a tree. */
final class Spans {

    static final AttributeKey<String> COMPONENT = AttributeKey.stringKey("component");
    static final AttributeKey<String> CAMEL_URI = AttributeKey.stringKey("camel.uri");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("xregion.servicebus.namespace");
    static final AttributeKey<Boolean> DUPLICATE = AttributeKey.booleanKey("xregion.servicebus.duplicate");
    static final AttributeKey<String> DISPOSITION = AttributeKey.stringKey("messaging.servicebus.disposition_status");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("xregion.servicebus.outcome");
    static final AttributeKey<String> REGION = AttributeKey.stringKey("xregion.region");

    private final List<SpanData> all;
    private final Map<String, SpanData> byId;

    Spans(List<SpanData> spans) {
        this.all = List.copyOf(spans);
        this.byId = spans.stream().collect(Collectors.toMap(SpanData::getSpanId, Function.identity(), (a, b) -> a));
    }

    List<SpanData> all() {
        return all;
    }

    List<SpanData> where(Predicate<SpanData> test) {
        return all.stream().filter(test).toList();
    }

    /** The messaging spans of one message: kind PRODUCER (send) or CONSUMER (process). */
    List<SpanData> messaging(SpanKind kind, String messageId) {
        return where(s -> s.getKind() == kind && messageId.equals(s.getAttributes().get(MESSAGE_ID)));
    }

    SpanData parent(SpanData span) {
        return byId.get(span.getParentSpanId());
    }

    /** Whether {@code ancestor} is the span itself or above it, following parents within these spans. */
    boolean under(SpanData span, SpanData ancestor) {
        for (SpanData s = span; s != null; s = parent(s)) {
            if (s.getSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
        }
        return false;
    }

    /** The camel-http calls (the broadcast's, to Web PubSub) below a span. */
    List<SpanData> httpCallsUnder(SpanData ancestor) {
        return where(s -> "camel-http".equals(s.getAttributes().get(COMPONENT)) && under(s, ancestor));
    }

    /** Every span of the trace, as an indented tree in start order, for the eye (and the docs). */
    String tree(String traceId) {
        List<SpanData> trace = where(s -> s.getTraceId().equals(traceId));
        StringBuilder out = new StringBuilder();
        long start = trace.stream().mapToLong(SpanData::getStartEpochNanos).min().orElse(0);
        trace.stream().filter(s -> !s.getParentSpanContext().isValid() || parent(s) == null)
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
                .forEach(root -> print(root, trace, 0, start, out));
        return out.toString();
    }

    private void print(SpanData span, List<SpanData> trace, int depth, long start, StringBuilder out) {
        out.append(String.format("%-70s %-8s %6.1f ms +%6.1f ms  %s%n", "  ".repeat(depth) + span.getName(),
                span.getKind(), (span.getStartEpochNanos() - start) / 1e6,
                (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6, describe(span)));
        List<SpanData> children = new ArrayList<>(trace.stream()
                .filter(s -> span.getSpanId().equals(s.getParentSpanId())).toList());
        children.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
        children.forEach(child -> print(child, trace, depth + 1, start, out));
    }

    private static String describe(SpanData span) {
        List<String> parts = new ArrayList<>();
        String region = span.getResource().getAttribute(REGION);
        if (region != null) {
            parts.add("[" + region + "]");
        }
        for (AttributeKey<?> key : List.of(NAMESPACE, MESSAGE_ID, OUTCOME, DUPLICATE, DISPOSITION, CAMEL_URI)) {
            Object value = span.getAttributes().get(key);
            if (value != null) {
                parts.add(key.getKey() + "=" + value);
            }
        }
        if (!span.getLinks().isEmpty()) {
            parts.add("links=" + span.getLinks().stream().map(l -> l.getSpanContext().getSpanId())
                    .filter(Objects::nonNull).toList());
        }
        return String.join(" ", parts);
    }
}
