package io.xregion.health;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last changes of health of the Web PubSub instances and Service Bus namespaces, newest first, for the status
 * page: a bounded list in memory (it starts empty with every start of the app server; the log and the
 * {@code xregion.webpubsub.health.changes} counter keep the whole story). Recorded where the changes are announced:
 * the health routes, and the Service Bus send that found a namespace gone or back.
 */
public final class HealthChanges {

    /** One change, as the status page shows it. */
    public record Entry(Instant at, String kind, String name, HealthState from, HealthState to, String reason) {
    }

    private final int limit;
    private final Clock clock;
    private final Deque<Entry> entries = new ArrayDeque<>();

    /** @param limit how many changes are kept ({@code xregion.status.recent-changes}) */
    public HealthChanges(int limit, Clock clock) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.limit = limit;
        this.clock = clock;
    }

    /** Keeps the change (null: nothing changed), dropping the oldest beyond the limit. */
    public synchronized void record(StateChange change) {
        if (change == null) {
            return;
        }
        entries.addFirst(new Entry(clock.instant(), change.kind(), change.name(), change.from(), change.to(),
                change.reason()));
        while (entries.size() > limit) {
            entries.removeLast();
        }
    }

    /** Newest first. */
    public synchronized List<Entry> recent() {
        return new ArrayList<>(entries);
    }

    public int limit() {
        return limit;
    }
}
