package io.xregion.tracing;

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
            tracing.start(settings.optional(Tracing.EXCLUDE_PATTERNS).orElse(null));
        }
    }
}
