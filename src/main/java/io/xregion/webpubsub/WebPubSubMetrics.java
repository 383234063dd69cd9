package io.xregion.webpubsub;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Gauges the routes cannot express with the micrometer endpoint: each instance's health as the app sees it. */
public final class WebPubSubMetrics {

    private WebPubSubMetrics() {
    }

    /** {@code xregion.webpubsub.instance.up{instance}}: 1 healthy, 0 not (down, or unknown before a probe). */
    public static void register(MeterRegistry registry, WebPubSubInstances instances, WebPubSubHealth health) {
        for (WebPubSubInstance instance : instances.all()) {
            Gauge.builder("xregion.webpubsub.instance.up", health, h -> h.healthy(instance.name()) ? 1 : 0)
                    .description("1 while the app server considers the Web PubSub instance healthy")
                    .tag("instance", instance.name())
                    .tag("role", instance.role().tag())
                    .register(registry);
        }
    }
}
