package io.xregion.servicebus;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

import io.xregion.observe.XregionMeter;

/**
 * The Service Bus meters made in Java: each namespace's send outcomes ({@code xregion.servicebus.sends{namespace,
 * outcome}}, by the producer), the outbox drain's {@code xregion.servicebus.outbox.delivered} and
 * {@code .outbox.refused}, the receive route's {@code xregion.servicebus.received{namespace}},
 * {@code .duplicates{namespace}} and {@code .processed}, the processing's retries
 * ({@code xregion.servicebus.processing.retries{namespace}}) and the delivery latency of each message processed
 * ({@code xregion.delivery.latency}). Names and tags are {@link XregionMeter}'s; the common tags ({@code camelContext},
 * {@code region}) are added by the registry's filter, so the series stay the ones dashboards know.
 *
 * <p>The receive route counts here rather than with Camel 4.17's micrometer endpoint: that endpoint evaluates its name
 * and tags as simple expressions and then removes its {@code CamelMetrics*} headers by pattern, which compiles a
 * regular expression for every header of the message; a received message carries some twenty Service Bus headers,
 * and the route's three counter steps took 4 % of an app server's CPU at 100 msg/s (JFR, the install benchmark).
 */
public final class ServiceBusCounters {

    private final CamelContext context;
    private final Clock clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Timer deliveryLatency;
    private volatile MeterRegistry registry;
    private volatile boolean noRegistry;

    /** Counts into the context's meter registry once there is one (Camel binds it while starting). */
    public ServiceBusCounters(CamelContext context) {
        this(context, Clock.systemUTC());
    }

    /** @param clock when a message counts as delivered (the delivery latency's end) */
    ServiceBusCounters(CamelContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    /** Counts nothing (an outbox or a sender outside an app). */
    public static ServiceBusCounters none() {
        return new ServiceBusCounters(null);
    }

    /** A copy read from a namespace (the receive route, before duplicate elimination). */
    public void received(String namespace) {
        count(XregionMeter.SERVICEBUS_RECEIVED, 1, "namespace", namespace);
    }

    /** A copy dropped as the duplicate of one already processed. */
    public void duplicate(String namespace) {
        count(XregionMeter.SERVICEBUS_DUPLICATES, 1, "namespace", namespace);
    }

    /**
     * A message processed (direct:process succeeded: the default processing's broadcast is done): counted, and its
     * delivery timed from its publish's acceptance ({@link AcceptedAt}; another producer's message: from its copy's
     * EnqueuedTime). Two app servers' clocks differ a little; a negative time (this clock behind the publisher's)
     * counts as 0.
     */
    public void processed(Exchange exchange) {
        count(XregionMeter.SERVICEBUS_PROCESSED, 1);
        long start = AcceptedAt.deliveryStart(exchange.getMessage());
        Timer latency = deliveryLatency();
        if (start >= 0 && latency != null) {
            latency.record(Duration.ofMillis(Math.max(0, clock.millis() - start)));
        }
    }

    /** The processing of a copy from this namespace is tried again. */
    void retried(String namespace) {
        count(XregionMeter.SERVICEBUS_PROCESSING_RETRIES, 1, "namespace", namespace);
    }

    void send(String namespace, String outcome) {
        count(XregionMeter.SERVICEBUS_SENDS, 1, "namespace", namespace, "outcome", outcome);
    }

    /** Passive replication sent a message to the namespace not in use too, the one in use being slow. */
    void hedged(String namespace) {
        count(XregionMeter.SERVICEBUS_HEDGES, 1, "to", namespace);
    }

    void delivered(int messages) {
        count(XregionMeter.SERVICEBUS_OUTBOX_DELIVERED, messages);
    }

    void refused() {
        count(XregionMeter.SERVICEBUS_OUTBOX_REFUSED, 1);
    }

    private void count(XregionMeter meter, double amount, String... tags) {
        MeterRegistry meters = registry();
        if (meters == null) {
            return;
        }
        counters.computeIfAbsent(meter.meterName() + String.join("|", tags), key -> meter.counter(meters, tags))
                .increment(amount);
    }

    private Timer deliveryLatency() {
        Timer timer = deliveryLatency;
        if (timer == null) {
            MeterRegistry meters = registry();
            if (meters != null) {
                timer = XregionMeter.DELIVERY_LATENCY.timer(meters);
                deliveryLatency = timer;
            }
        }
        return timer;
    }

    /** The app's meter registry, or null (none yet, or metrics off). */
    MeterRegistry registry() {
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
