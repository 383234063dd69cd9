package io.xregion.observe;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every meter xregion makes, with its name, type, tag keys and what it says: the one place that owns them. Java code
 * registers xregion's meters only through {@link #counter}, {@link #gauge} and {@link #timer}, which refuse tags other
 * than the entry's; the routes' {@code micrometer:} steps name entries of this catalogue ({@code MeterCatalogueTest}
 * reads every route and source file and fails on a name that is not here). Every meter also carries the
 * {@link #COMMON_TAGS}, added by {@link CommonTags} on the app's registry, not by the code that makes it.
 *
 * <p>Prometheus names (as {@code /observe/metrics} shows them, {@link #prometheusName}): dots and dashes become
 * underscores, counters get {@code _total}, timers {@code _seconds} (with {@code _bucket}, {@code _count},
 * {@code _sum} and {@code _max}), gauges with a base unit get it as a suffix.
 */
public enum XregionMeter {

    // ---- Web PubSub
    WEBPUBSUB_INSTANCE_UP("xregion.webpubsub.instance.up", Type.GAUGE,
            "1 while the app server considers the Web PubSub instance healthy; 0 while DOWN or UNKNOWN",
            "instance", "role"),
    WEBPUBSUB_HEALTH_CHANGES("xregion.webpubsub.health.changes", Type.COUNTER,
            "An instance's health changed (the health route)", "instance", "to"),
    WEBPUBSUB_NEGOTIATIONS("xregion.webpubsub.negotiations", Type.COUNTER,
            "Negotiations by the instance handed out (none: no healthy instance, answered 503)", "instance"),
    WEBPUBSUB_NEGOTIATE_REFUSED("xregion.webpubsub.negotiate.refused", Type.COUNTER,
            "Negotiations refused, by reason: bad-request (400), unauthorized (401), too-many (429), no-instance "
                    + "(503: no healthy instance, or the chosen one gave no client token), identity-unavailable "
                    + "(503: the identity provider's keys cannot be fetched)",
            "reason"),
    WEBPUBSUB_CALLS("xregion.webpubsub.calls", Type.COUNTER,
            "REST calls to Web PubSub instances, by outcome", "operation", "instance", "outcome"),
    WEBPUBSUB_EVENTS("xregion.webpubsub.events", Type.COUNTER,
            "Events the Web PubSub instances delivered to the event handler", "instance", "kind"),
    WEBPUBSUB_FAILBACK_LEADER("xregion.webpubsub.failback.leader", Type.GAUGE,
            "1 while this replica is the failback leader of its region, else 0", "namespace"),

    // ---- Service Bus: publishing
    SERVICEBUS_PUBLISHED("xregion.servicebus.published", Type.COUNTER,
            "Messages published (POST /publish and client events), sent or queued in the outbox", "status"),
    SERVICEBUS_SENDS("xregion.servicebus.sends", Type.COUNTER,
            "Copies sent to a namespace, by outcome (accepted, unavailable, refused, skipped)", "namespace",
            "outcome"),
    SERVICEBUS_FAILOVERS("xregion.servicebus.failovers", Type.COUNTER,
            "Passive replication switched to this namespace", "to"),
    SERVICEBUS_HEDGES("xregion.servicebus.hedges", Type.COUNTER,
            "Passive replication sent to this namespace too, the one in use being slow", "to"),
    SERVICEBUS_NAMESPACE_UP("xregion.servicebus.namespace.up", Type.GAUGE,
            "1 while the namespace is considered reachable", "namespace"),

    // ---- Service Bus: the outbox
    SERVICEBUS_OUTBOX_DEPTH("xregion.servicebus.outbox.depth", Type.GAUGE, "Messages waiting in the local outbox"),
    SERVICEBUS_OUTBOX_OLDEST_AGE("xregion.servicebus.outbox.oldest.age", Type.GAUGE, Unit.SECONDS,
            "How long the oldest outbox message has waited since its publish was accepted"),
    SERVICEBUS_OUTBOX_ACCEPTING("xregion.servicebus.outbox.accepting", Type.GAUGE,
            "1 while the outbox takes messages; 0 while it refuses them (off, full, broken or closed)"),
    SERVICEBUS_OUTBOX_BROKEN("xregion.servicebus.outbox.broken", Type.GAUGE,
            "1 while the outbox cannot write or read its files (its last attempt failed)"),
    SERVICEBUS_OUTBOX_DELIVERED("xregion.servicebus.outbox.delivered", Type.COUNTER,
            "Messages the outbox drain delivered"),
    SERVICEBUS_OUTBOX_REFUSED("xregion.servicebus.outbox.refused", Type.COUNTER,
            "Messages a namespace refused for good while draining the outbox, set aside"),

    // ---- Service Bus: receiving
    SERVICEBUS_RECEIVED("xregion.servicebus.received", Type.COUNTER,
            "Copies read from a namespace, before duplicate elimination", "namespace"),
    SERVICEBUS_DUPLICATES("xregion.servicebus.duplicates", Type.COUNTER,
            "Copies dropped as duplicates, by the namespace they came from", "namespace"),
    SERVICEBUS_PROCESSED("xregion.servicebus.processed", Type.COUNTER, "Messages processed (direct:process done)"),
    SERVICEBUS_PROCESSING_RETRIES("xregion.servicebus.processing.retries", Type.COUNTER,
            "Times the processing of a message was tried again, by the namespace of its copy", "namespace"),
    SERVICEBUS_DEAD_LETTERED("xregion.servicebus.dead-lettered", Type.COUNTER,
            "Messages that can never be processed, dead-lettered at once", "namespace", "reason"),
    SERVICEBUS_REPLICATION_LAG("xregion.servicebus.replication.lag", Type.TIMER,
            "Between the two namespaces' EnqueuedTime of one message, both copies seen by this app server; tagged "
                    + "with the namespace of the later copy",
            "namespace"),
    DELIVERY_LATENCY("xregion.delivery.latency", Type.TIMER,
            "From the publish accepted to the message processed (broadcast done) on this app server (the region "
                    + "tag); without an xregion-accepted-at property, from the copy's EnqueuedTime"),

    // ---- Service Bus: the duplicate store (redis)
    SERVICEBUS_DEDUP_STATE("xregion.servicebus.dedup.state", Type.GAUGE,
            "1 for the redis duplicate store's current state", "state"),
    SERVICEBUS_DEDUP_CLAIMS("xregion.servicebus.dedup.claims", Type.COUNTER,
            "Claims of a MessageId, by result (claimed, duplicate, pending, local)", "result"),
    SERVICEBUS_DEDUP_NEAR_CACHE_HITS("xregion.servicebus.dedup.near-cache.hits", Type.COUNTER,
            "Copies known done here, no round trip to Redis"),
    SERVICEBUS_DEDUP_CLAIMS_HELD("xregion.servicebus.dedup.claims.held", Type.GAUGE,
            "Claims this app server holds in the duplicate store now"),
    SERVICEBUS_DEDUP_CLAIMS_LOST("xregion.servicebus.dedup.claims.lost", Type.COUNTER,
            "Claims no longer ours when renewed or confirmed"),
    SERVICEBUS_DEDUP_DEGRADATIONS("xregion.servicebus.dedup.degradations", Type.COUNTER,
            "Times the hold ran out and duplicates were eliminated per app server only"),
    SERVICEBUS_DEDUP_ERRORS("xregion.servicebus.dedup.errors", Type.COUNTER,
            "Redis away for a confirm, remove or renewal", "operation"),

    // ---- Message continuity (io.xregion.continuity)
    CONTINUITY_HISTORY_FAILURES("xregion.continuity.history.failures", Type.COUNTER,
            "History writes (the broadcast went on without a position) and resume reads that failed", "operation"),
    CONTINUITY_HISTORY_AVAILABLE("xregion.continuity.history.available", Type.GAUGE,
            "1 while the message history takes writes");

    /** The tags every xregion meter carries, added by {@link CommonTags}: the Camel context and the region. */
    public static final List<String> COMMON_TAGS = List.of(CommonTags.CAMEL_CONTEXT, CommonTags.REGION);

    /**
     * The timers' histogram buckets (Prometheus {@code le}, in seconds): service-level boundaries from 5 ms to a
     * minute, so a percentile or an SLO ("99 % within 1 s") can be read from {@code _bucket}.
     */
    public static final List<Duration> TIMER_BUCKETS = List.of(Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

    public enum Type {
        COUNTER, GAUGE, TIMER
    }

    /** A gauge's base unit, which Prometheus appends to its name. */
    enum Unit {
        SECONDS
    }

    private final String meterName;
    private final Type type;
    private final String baseUnit;
    private final String description;
    private final List<String> tagKeys;

    XregionMeter(String meterName, Type type, String description, String... tagKeys) {
        this(meterName, type, (Unit) null, description, tagKeys);
    }

    XregionMeter(String meterName, Type type, Unit baseUnit, String description, String... tagKeys) {
        this.meterName = meterName;
        this.type = type;
        this.baseUnit = baseUnit == null ? null : baseUnit.name().toLowerCase(Locale.ROOT);
        this.description = description;
        this.tagKeys = List.of(tagKeys);
    }

    /** The dotted Micrometer name, e.g. {@code xregion.servicebus.sends}. */
    public String meterName() {
        return meterName;
    }

    public Type type() {
        return type;
    }

    public String description() {
        return description;
    }

    /** The entry's own tag keys (besides {@link #COMMON_TAGS}). */
    public List<String> tagKeys() {
        return tagKeys;
    }

    /** The Prometheus name: a counter's {@code _total} series, a timer's base name, a gauge's series. */
    public String prometheusName() {
        String base = meterName.replace('.', '_').replace('-', '_');
        return switch (type) {
            case COUNTER -> base + "_total";
            case TIMER -> base + "_seconds";
            case GAUGE -> baseUnit == null ? base : base + "_" + baseUnit;
        };
    }

    /** The entry of that dotted name. */
    public static Optional<XregionMeter> named(String meterName) {
        return Arrays.stream(values()).filter(m -> m.meterName.equals(meterName)).findFirst();
    }

    /** Registers (or finds) the counter with these tags (key, value, ...): exactly the entry's tag keys. */
    public Counter counter(MeterRegistry registry, String... tags) {
        expect(Type.COUNTER, tags);
        return Counter.builder(meterName).description(description).tags(tags).register(registry);
    }

    /** Registers the gauge of {@code state} with these tags (key, value, ...): exactly the entry's tag keys. */
    public <T> Gauge gauge(MeterRegistry registry, T state, ToDoubleFunction<T> value, String... tags) {
        expect(Type.GAUGE, tags);
        Gauge.Builder<T> builder = Gauge.builder(meterName, state, value).description(description).tags(tags);
        if (baseUnit != null) {
            builder.baseUnit(baseUnit);
        }
        return builder.register(registry);
    }

    /** Registers (or finds) the timer, with the {@link #TIMER_BUCKETS}, with these tags (key, value, ...). */
    public Timer timer(MeterRegistry registry, String... tags) {
        expect(Type.TIMER, tags);
        return Timer.builder(meterName).description(description).tags(tags)
                .serviceLevelObjectives(TIMER_BUCKETS.toArray(Duration[]::new)).register(registry);
    }

    private void expect(Type wanted, String... tags) {
        if (type != wanted) {
            throw new IllegalArgumentException(meterName + " is a " + type.name().toLowerCase(Locale.ROOT)
                    + ", not a " + wanted.name().toLowerCase(Locale.ROOT));
        }
        Set<String> keys = new TreeSet<>();
        for (int i = 0; i < tags.length; i += 2) {
            keys.add(tags[i]);
        }
        if (tags.length % 2 != 0 || !keys.equals(new TreeSet<>(tagKeys))) {
            throw new IllegalArgumentException(meterName + " takes the tags " + tagKeys + ", not "
                    + Arrays.toString(tags));
        }
    }
}
