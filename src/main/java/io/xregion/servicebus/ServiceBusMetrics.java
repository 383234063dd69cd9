package io.xregion.servicebus;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Gauges the routes cannot express with the micrometer endpoint. */
public final class ServiceBusMetrics {

    private ServiceBusMetrics() {
    }

    public static void register(MeterRegistry registry, NamespaceHealth health, Outbox outbox) {
        for (String namespace : health.names()) {
            Gauge.builder("xregion.servicebus.namespace.up", health, h -> h.reachable(namespace) ? 1 : 0)
                    .description("1 while the namespace is considered reachable").tag("namespace", namespace)
                    .register(registry);
        }
        Gauge.builder("xregion.servicebus.outbox.depth", outbox, Outbox::depth)
                .description("Messages waiting in the local outbox").register(registry);
        Gauge.builder("xregion.servicebus.outbox.oldest.age", outbox, Outbox::oldestAgeSeconds)
                .description("How long the oldest outbox message has waited").baseUnit("seconds").register(registry);
    }
}
