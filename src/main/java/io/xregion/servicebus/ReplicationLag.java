package io.xregion.servicebus;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.xregion.observe.XregionMeter;

/**
 * How far apart the two namespaces took the same message ({@code xregion.servicebus.replication.lag{namespace}}):
 * the difference of the two copies' EnqueuedTime, recorded when the second copy of a MessageId reaches this app
 * server, tagged with the namespace of the later copy. The first copy's time is kept in a bounded in-process map
 * (the duplicate window and size), so with several app servers only the copies that reach the same app server count;
 * a redelivered copy from the same namespace is not a second copy.
 */
public final class ReplicationLag {

    /** The first copy of a MessageId seen here; {@link #TIMED} once the second was timed. */
    private record Copy(String namespace, long enqueuedMillis) {
    }

    private static final Copy TIMED = new Copy("", 0);

    private final ServiceBusCounters meters;
    private final Cache<String, Copy> firstCopies;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /**
     * @param meters     whose registry the timer goes to
     * @param window     how long a first copy waits for the second (the duplicate window)
     * @param maxEntries the most first copies kept
     */
    public ReplicationLag(ServiceBusCounters meters, Duration window, long maxEntries) {
        this.meters = meters;
        this.firstCopies = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(maxEntries).build();
    }

    /** A copy of a message delivered from this namespace (before duplicate elimination). */
    public void delivered(String namespace, String messageId, OffsetDateTime enqueuedTime) {
        if (messageId == null || enqueuedTime == null) {
            return;
        }
        long enqueued = enqueuedTime.toInstant().toEpochMilli();
        long[] lag = {-1};
        String[] later = {null};
        firstCopies.asMap().compute(messageId, (id, first) -> {
            if (first == null) {
                return new Copy(namespace, enqueued);
            }
            if (first == TIMED || first.namespace().equals(namespace)) {
                return first;
            }
            lag[0] = Math.abs(enqueued - first.enqueuedMillis());
            later[0] = enqueued >= first.enqueuedMillis() ? namespace : first.namespace();
            return TIMED;
        });
        if (lag[0] >= 0) {
            Timer timer = timer(later[0]);
            if (timer != null) {
                timer.record(Duration.ofMillis(lag[0]));
            }
        }
    }

    private Timer timer(String namespace) {
        Timer timer = timers.get(namespace);
        if (timer == null) {
            MeterRegistry registry = meters.registry();
            if (registry == null) {
                return null;
            }
            timer = timers.computeIfAbsent(namespace,
                    n -> XregionMeter.SERVICEBUS_REPLICATION_LAG.timer(registry, "namespace", n));
        }
        return timer;
    }
}
