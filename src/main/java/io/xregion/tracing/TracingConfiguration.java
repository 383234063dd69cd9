package io.xregion.tracing;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import io.xregion.config.Settings;

/**
 * Binds {@link Tracing} and, with {@code xregion.tracing.enabled}, starts it: the OpenTelemetry SDK and Camel's
 * tracer (camel-opentelemetry2), before the routes are made.
 */
public class TracingConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Settings settings = Settings.of(context);
        Tracing tracing = new Tracing(context);
        context.getRegistry().bind(Tracing.BEAN, Tracing.class, tracing);
        if (settings.flag(Tracing.ENABLED)) {
            List<String> excluded = settings.list(Tracing.EXCLUDE_PATTERNS);
            excluded.forEach(TracingConfiguration::checkPattern);
            tracing.start(excluded.isEmpty() ? null : String.join(",", excluded));
        }
    }

    /**
     * Camel matches a pattern that is neither an endpoint URI nor a prefix ending in * as a regular expression, and an
     * invalid one never.
     */
    private static void checkPattern(String pattern) {
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalStateException(Tracing.EXCLUDE_PATTERNS + ": '" + pattern + "' is neither an endpoint "
                    + "URI, a prefix ending in * nor a regular expression");
        }
    }
}
