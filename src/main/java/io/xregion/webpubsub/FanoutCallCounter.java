package io.xregion.webpubsub;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.xregion.observe.XregionMeter;
import io.xregion.webpubsub.FanoutResult.InstanceOutcome;

/** Counts every instance's outcome of a fan-out: {@code xregion.webpubsub.calls{operation, instance, outcome}}. */
public final class FanoutCallCounter {

    // one counter per tag combination, found without building meter ids on every broadcast
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile MeterRegistry meters;

    /** Where outcomes are counted; without one (metrics off) nothing is. */
    public void meterRegistry(MeterRegistry registry) {
        this.meters = registry;
    }

    public void count(FanoutResult result) {
        MeterRegistry registry = meters;
        if (registry == null) {
            return;
        }
        for (InstanceOutcome outcome : result.instances().values()) {
            counters.computeIfAbsent(result.operation() + '|' + outcome.instance() + '|' + outcome.metricTag(),
                    k -> XregionMeter.WEBPUBSUB_CALLS.counter(registry, "operation", result.operation(),
                            "instance", outcome.instance(), "outcome", outcome.metricTag())).increment();
        }
    }
}
