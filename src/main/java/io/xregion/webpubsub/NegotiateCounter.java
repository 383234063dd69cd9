package io.xregion.webpubsub;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Variable;

import io.xregion.http.ApiException;
import io.xregion.observe.XregionMeter;

/**
 * Counts negotiations by the instance handed out: {@code xregion.webpubsub.negotiations{instance}}, {@code none} when
 * no instance was healthy; and every negotiate refused, by reason: {@code xregion.webpubsub.negotiate.refused{reason}}.
 *
 * <p>Java rather than Camel 4.17's micrometer endpoint: that evaluated the tag {@code ${variable.instance.name()}} as
 * a bean call on a copy of the whole exchange and removed its {@code CamelMetrics*} headers with a regular expression
 * compiled per header, on every negotiate (about 5 % of negotiate's CPU in the Web PubSub benchmark, JFR).
 */
public final class NegotiateCounter {

    /** The negotiate route, whose refusals {@link #refused} counts. */
    public static final String ROUTE_ID = "webpubsub-negotiate";

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
        counters.computeIfAbsent("instance|" + tag,
                t -> XregionMeter.WEBPUBSUB_NEGOTIATIONS.counter(meters, "instance", tag)).increment();
    }

    /** A negotiate refused with this answer (4xx, 503); a failure of xregion itself (500) is not a refusal. */
    public void refused(ApiException refusal) {
        MeterRegistry meters = registry();
        String reason = reason(refusal);
        if (meters == null || reason == null) {
            return;
        }
        counters.computeIfAbsent("refused|" + reason,
                r -> XregionMeter.WEBPUBSUB_NEGOTIATE_REFUSED.counter(meters, "reason", reason)).increment();
    }

    /** The reason tag: a small fixed set, so alert rules can name each. */
    static String reason(ApiException refusal) {
        return switch (refusal.status()) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 429 -> "too-many";
            case 503 -> "IdentityProviderUnavailable".equals(refusal.code()) ? "identity-unavailable" : "no-instance";
            default -> refusal.status() >= 400 && refusal.status() < 500 ? "bad-request" : null;
        };
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
