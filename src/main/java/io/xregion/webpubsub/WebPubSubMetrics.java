package io.xregion.webpubsub;

import io.micrometer.core.instrument.MeterRegistry;

import io.xregion.observe.XregionMeter;

/** Gauges the routes cannot express with the micrometer endpoint: each instance's health as the app sees it. */
public final class WebPubSubMetrics {

    private WebPubSubMetrics() {
    }

    /** {@code xregion.webpubsub.instance.up{instance, role}}: 1 healthy, 0 not (down, or unknown before a probe). */
    public static void register(MeterRegistry registry, WebPubSubInstances instances, WebPubSubHealth health) {
        for (WebPubSubInstance instance : instances.all()) {
            XregionMeter.WEBPUBSUB_INSTANCE_UP.gauge(registry, health, h -> h.healthy(instance.name()) ? 1 : 0,
                    "instance", instance.name(), "role", instance.role().tag());
        }
    }
}
