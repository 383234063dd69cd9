package io.xregion.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.apache.camel.spi.PropertiesFunction;
import org.junit.jupiter.api.Test;

/**
 * camel-telemetry 4.17.0 matches the exclude patterns again for every span of an endpoint it has seen (the limit
 * {@link CachedExclusionTracer} works around); xregion's tracer decides once per endpoint, the same way. The count
 * comes from a properties function in the URI, which Camel resolves on every match.
 */
class CachedExclusionTracerTest {

    private static final String PATTERNS = "timer:*,micrometer:*,direct:webpubsub-health-probe,.*/api/health.*";

    @Test
    void camelMatchesTheSameEndpointAgainOnEverySpanAndXregionOnce() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            AtomicInteger resolutions = new AtomicInteger();
            context.getPropertiesComponent().addPropertiesFunction(new PropertiesFunction() {
                @Override
                public String getName() {
                    return "counted";
                }

                @Override
                public String apply(String remainder) {
                    resolutions.incrementAndGet();
                    return remainder;
                }
            });
            String uri = "direct:{{counted:servicebus-send}}";

            OpenTelemetryTracer camels = new OpenTelemetryTracer();
            camels.setExcludePatterns(PATTERNS);
            camels.exclude(uri, context);
            int once = resolutions.get();
            camels.exclude(uri, context);
            assertTrue(resolutions.get() > once, "Camel no longer matches a seen endpoint again: "
                    + "CachedExclusionTracer may go");

            CachedExclusionTracer ours = new CachedExclusionTracer();
            ours.setExcludePatterns(PATTERNS);
            ours.exclude(uri, context);
            int first = resolutions.get();
            ours.exclude(uri, context);
            ours.exclude(uri, context);
            assertEquals(first, resolutions.get(), "xregion's tracer matched a seen endpoint again");
        }
    }

    @Test
    void theVerdictsAreCamels() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            OpenTelemetryTracer camels = new OpenTelemetryTracer();
            camels.setExcludePatterns(PATTERNS);
            CachedExclusionTracer ours = new CachedExclusionTracer();
            ours.setExcludePatterns(PATTERNS);
            for (String uri : List.of("timer://webpubsub-health?period=1000", "micrometer://counter:x?tags.a=b",
                    "direct://webpubsub-health-probe", "http://127.0.0.1:1234/api/health?api-version=2024-01-01",
                    "direct://servicebus-send", "http://127.0.0.1:1234?httpMethod=POST",
                    "platform-http:///publish?httpMethodRestrict=POST")) {
                for (int time = 0; time < 2; time++) {
                    assertEquals(camels.exclude(uri, context), ours.exclude(uri, context), uri);
                }
            }
            assertTrue(ours.exclude("timer://webpubsub-health?period=1000", context));
            assertTrue(ours.exclude("http://127.0.0.1:1234/api/health?api-version=2024-01-01", context));
            assertTrue(!ours.exclude("direct://servicebus-send", context));
        }
    }
}
