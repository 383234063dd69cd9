package io.xregion.continuity;

import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.observe.XregionMeter;

/**
 * The history as a broadcast meets it: a write that fails is counted ({@code xregion.continuity.history.failures},
 * tag operation=write) and the broadcast goes on without a position, as before continuity; after a failure the
 * history is left alone for a pause (the duplicate store's probe interval), so a Redis that stopped answering costs a
 * broadcast at most one timeout per pause, not one per message.
 */
public final class RecordingHistory {

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.continuity");

    private final MessageHistory history;
    private final Duration pause;
    private final Clock clock;
    private volatile long leftAloneUntil;
    private volatile boolean available = true;
    private Counter writeFailures;
    private Counter readFailures;

    public RecordingHistory(MessageHistory history, Duration pause, Clock clock) {
        this.history = history;
        this.pause = pause;
        this.clock = clock;
    }

    public MessageHistory history() {
        return history;
    }

    public boolean available() {
        return available;
    }

    void meters(MeterRegistry registry) {
        writeFailures = XregionMeter.CONTINUITY_HISTORY_FAILURES.counter(registry, "operation", "write");
        readFailures = XregionMeter.CONTINUITY_HISTORY_FAILURES.counter(registry, "operation", "read");
        XregionMeter.CONTINUITY_HISTORY_AVAILABLE.gauge(registry, this, h -> h.available ? 1 : 0);
    }

    /** The message's position, or null when the history did not take it. */
    public Position append(String stream, HistoryEntry entry) {
        if (clock.millis() < leftAloneUntil) {
            count(writeFailures);
            return null;
        }
        try {
            Position position = history.append(stream, entry);
            if (!available) {
                available = true;
                LOG.info("The message history ({}) takes writes again", history.kind());
            }
            return position;
        } catch (RuntimeException e) {
            count(writeFailures);
            leftAloneUntil = clock.millis() + pause.toMillis();
            if (available) {
                available = false;
                LOG.warn("The message history ({}) did not take a write, broadcasts go on without positions: {}",
                        history.kind(), e.getMessage());
            }
            return null;
        }
    }

    /** A read for a resume; its failure is the caller's (503). */
    public Replay after(String stream, Position after, int limit) {
        try {
            return history.after(stream, after, limit);
        } catch (RuntimeException e) {
            count(readFailures);
            throw e;
        }
    }

    private static void count(Counter counter) {
        if (counter != null) {
            counter.increment();
        }
    }
}
