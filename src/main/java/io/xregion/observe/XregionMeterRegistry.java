package io.xregion.observe;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

/**
 * The app's meter registry: Prometheus, with xregion's {@link CommonTags} on it before any meter registers. Bound by
 * application.properties ({@code camel.beans.metricsRegistry}) under the name camel-micrometer-prometheus 4.17.0
 * looks up before it makes a registry of its own, so {@code /observe/metrics}, Camel's route timers, its micrometer
 * endpoint and xregion's Java meters all use this one. Not a configuration class's bean: camel-main 4.17.0
 * initializes the metrics service (which makes its registry and binds the JVM's meters to it) before it binds those,
 * and a filter added to a registry that already has meters makes Micrometer warn at every start.
 */
public final class XregionMeterRegistry extends PrometheusMeterRegistry implements CamelContextAware {

    private CamelContext context;

    public XregionMeterRegistry() {
        super(PrometheusConfig.DEFAULT);
    }

    @Override
    public void setCamelContext(CamelContext context) {
        if (this.context == null) {
            this.context = context;
            config().meterFilter(new CommonTags(context));
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
