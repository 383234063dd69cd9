package io.xregion.observe;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;

/**
 * The app's meter registry, with xregion's {@link CommonTags} on it before any meter registers. Bound under the name
 * camel-micrometer-prometheus 4.17.0 looks up first ({@code metricsRegistry}), so {@code /observe/metrics}, Camel's
 * micrometer endpoint and its route timers all use this registry instead of one of their own.
 */
public class ObserveConfiguration implements CamelConfiguration {

    @BindToRegistry(MicrometerConstants.METRICS_REGISTRY_NAME)
    public PrometheusMeterRegistry metricsRegistry(CamelContext context) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new CommonTags(context));
        return registry;
    }
}
