package io.xregion.servicebus;

import io.micrometer.core.instrument.MeterRegistry;

import io.xregion.observe.XregionMeter;

/** Gauges the routes cannot express with the micrometer endpoint: the namespaces' reachability and the outbox. */
public final class ServiceBusMetrics {

    private ServiceBusMetrics() {
    }

    public static void register(MeterRegistry registry, NamespaceHealth health, Outbox outbox) {
        for (String namespace : health.names()) {
            XregionMeter.SERVICEBUS_NAMESPACE_UP.gauge(registry, health, h -> h.reachable(namespace) ? 1 : 0,
                    "namespace", namespace);
        }
        XregionMeter.SERVICEBUS_OUTBOX_DEPTH.gauge(registry, outbox, Outbox::depth);
        XregionMeter.SERVICEBUS_OUTBOX_OLDEST_AGE.gauge(registry, outbox, Outbox::oldestAgeSeconds);
        XregionMeter.SERVICEBUS_OUTBOX_ACCEPTING.gauge(registry, outbox, o -> o.takesMessages() ? 1 : 0);
        XregionMeter.SERVICEBUS_OUTBOX_BROKEN.gauge(registry, outbox, o -> o.broken() ? 1 : 0);
    }
}
