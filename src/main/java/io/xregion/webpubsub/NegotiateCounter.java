package io.xregion.webpubsub;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Variable;

/**
 * Counts negotiations by the instance handed out: {@code xregion.webpubsub.negotiations{instance}}, {@code none} when
 * no instance was healthy; with the {@code camelContext} tag the routes' micrometer endpoint gave the series.
 *
 * <p>Java rather than Camel 4.17's micrometer endpoint: that evaluated the tag {@code ${variable.instance.name()}} as
 * a bean call on a copy of the whole exchange and removed its {@code CamelMetrics*} headers with a regular expression
 * compiled per header, on every negotiate (about 5 % of negotiate's CPU in the Web PubSub benchmark, JFR).
 */
public final class NegotiateCounter {

    private final CamelContext context;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    public NegotiateCounter(CamelContext context) {
        this.context = context;
    }

    /** One negotiation answered with this instance, or (null) with none. */
    public void count(@Variable(WebPubSubRouting.INSTANCE) WebPubSubInstance instance) {
        MeterRegistry meters = registry();
        if (meters == null) {
            return;
        }
        String tag = instance == null ? "none" : instance.name();
        counters.computeIfAbsent(tag, t -> Counter.builder("xregion.webpubsub.negotiations").tag("instance", t)
                .tag("camelContext", context.getName()).register(meters)).increment();
    }

    private MeterRegistry registry() {
        MeterRegistry found = registry;
        if (found == null) {
            found = context.getRegistry().findSingleByType(MeterRegistry.class);
            registry = found;
        }
        return found;
    }
}
