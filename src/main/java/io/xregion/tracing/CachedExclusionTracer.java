package io.xregion.tracing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;

/**
 * camel-opentelemetry2's tracer, deciding once per endpoint whether it is excluded from tracing.
 *
 * <p>Workaround for a limit of camel-telemetry 4.17.0: its {@code Tracer.exclude} matches every exclude pattern
 * against the endpoint's URI at the start and at the end of every span, each time normalizing the URI (parsing and
 * sorting its query) and compiling the pattern as a regular expression when it is not a plain prefix: about 100
 * microseconds per check with xregion's five patterns on this machine, so a few milliseconds of CPU per message, more
 * than the rest of tracing. The verdict depends on the URI alone, so it is kept per URI (a bounded number: xregion's
 * endpoints, and a dynamic one past the bound is checked each time). {@code CachedExclusionTracerTest} fails when
 * Camel stops repeating the match for a URI it has seen; this class may then go.
 */
final class CachedExclusionTracer extends OpenTelemetryTracer {

    static final int MAX_URIS = 10_000;

    private final Map<String, Boolean> excluded = new ConcurrentHashMap<>();

    @Override
    public boolean exclude(String endpointUri, CamelContext context) {
        if (endpointUri == null || getExcludePatterns() == null) {
            return false;
        }
        Boolean known = excluded.get(endpointUri);
        if (known != null) {
            return known;
        }
        boolean verdict = super.exclude(endpointUri, context);
        if (excluded.size() < MAX_URIS) {
            excluded.put(endpointUri, verdict);
        }
        return verdict;
    }
}
