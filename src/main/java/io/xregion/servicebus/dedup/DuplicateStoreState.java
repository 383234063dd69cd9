package io.xregion.servicebus.dedup;

import java.util.Locale;

/** What the redis duplicate store does now. */
public enum DuplicateStoreState {
    /** Redis answers: every app server claims against it, so each message is processed once across all of them. */
    SHARED,
    /** Redis does not answer: nothing is processed (messages stay in Service Bus) until it does, or the hold ends. */
    HOLDING,
    /** Redis has not answered for longer than the hold: duplicates are eliminated per process until it does. */
    DEGRADED;

    /** The name in health details, /dev/state and the metrics' tags. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
