package io.xregion.servicebus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The Service Bus counts made in Java: each namespace's send outcomes ({@code xregion.servicebus.sends{namespace,
 * outcome}}, by the producer), the outbox drain's {@code xregion.servicebus.outbox.delivered} and
 * {@code .outbox.refused}, and the receive route's {@code xregion.servicebus.received{namespace}},
 * {@code .duplicates{namespace}} and {@code .processed}. Names and tags are those the routes' micrometer endpoint gave
 * them, its {@code camelContext} tag included, so the series stay the ones dashboards know.
 *
 * <p>The receive route counts here rather than with Camel 4.17's micrometer endpoint: that endpoint evaluates its name
 * and tags as simple expressions and then removes its {@code CamelMetrics*} headers by pattern, which compiles a
 * regular expression for every header of the message; a received message carries some twenty Service Bus headers,
 * and the route's three counter steps took 4 % of an app server's CPU at 100 msg/s (JFR, the install benchmark).
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

    /** A copy read from a namespace (the receive route, before duplicate elimination). */
    public void received(String namespace) {
        count("xregion.servicebus.received", 1, "namespace", namespace);
    }

    /** A copy dropped as the duplicate of one already processed. */
    public void duplicate(String namespace) {
        count("xregion.servicebus.duplicates", 1, "namespace", namespace);
    }

    /** A message processed (direct:process succeeded). */
    public void processed() {
        count("xregion.servicebus.processed", 1);
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
