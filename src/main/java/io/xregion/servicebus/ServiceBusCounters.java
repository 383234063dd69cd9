package io.xregion.servicebus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The Service Bus counts made in Java: each namespace's send outcomes ({@code xregion.servicebus.sends{namespace,
 * outcome}}, by the producer) and the outbox drain's {@code xregion.servicebus.outbox.delivered} and
 * {@code .outbox.refused}. Names and tags are those the routes' micrometer endpoint gave them, its
 * {@code camelContext} tag included, so the series stay the ones dashboards know.
 */
public final class ServiceBusCounters {

    private final CamelContext context;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;
    private volatile boolean noRegistry;

    /** Counts into the context's meter registry once there is one (Camel binds it while starting). */
    public ServiceBusCounters(CamelContext context) {
        this.context = context;
    }

    /** Counts nothing (an outbox or a sender outside an app). */
    public static ServiceBusCounters none() {
        return new ServiceBusCounters(null);
    }

    void send(String namespace, String outcome) {
        count("xregion.servicebus.sends", 1, "namespace", namespace, "outcome", outcome);
    }

    /** Passive replication sent a message to the namespace not in use too, the one in use being slow. */
    void hedged(String namespace) {
        count("xregion.servicebus.hedges", 1, "to", namespace);
    }

    void delivered(int messages) {
        count("xregion.servicebus.outbox.delivered", messages);
    }

    void refused() {
        count("xregion.servicebus.outbox.refused", 1);
    }

    private void count(String name, double amount, String... tags) {
        MeterRegistry meters = registry();
        if (meters == null) {
            return;
        }
        counters.computeIfAbsent(name + String.join("|", tags), key -> Counter.builder(name).tags(tags)
                .tag("camelContext", context.getName()).register(meters)).increment(amount);
    }

    private MeterRegistry registry() {
        MeterRegistry found = registry;
        if (found == null && context != null && !noRegistry) {
            found = context.getRegistry().findSingleByType(MeterRegistry.class);
            registry = found;
            // metrics switched off: once the context runs without a registry, stop looking on every send
            noRegistry = found == null && context.isStarted();
        }
        return found;
    }
}
