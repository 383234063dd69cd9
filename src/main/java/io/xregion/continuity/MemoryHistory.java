package io.xregion.continuity;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The history in this process, for the memory duplicate store (one app server): per stream a queue trimmed by time
 * and count on every write, a stream forgotten once it has had no write for the window. Positions are
 * {@code <epoch>-<counter>} with this process's start as epoch, so a position another process gave (another app
 * server, an earlier run) is a gap, never a silent loss.
 */
public final class MemoryHistory implements MessageHistory {

    private record Held(Position position, long writtenAt, HistoryEntry entry) {
    }

    /** One stream's queue and the newest position it dropped. */
    private static final class Log {
        final ArrayDeque<Held> held = new ArrayDeque<>();
        Position newestDropped = Position.ZERO;
    }

    private final Duration window;
    private final int maxMessages;
    private final Clock clock;
    private final long epoch;
    private final AtomicLong counter = new AtomicLong();
    private final Cache<String, Log> streams;

    public MemoryHistory(Duration window, int maxMessages, Clock clock) {
        this.window = window;
        this.maxMessages = maxMessages;
        this.clock = clock;
        this.epoch = clock.millis();
        this.streams = Caffeine.newBuilder().expireAfterWrite(window).build();
    }

    @Override
    public Position append(String stream, HistoryEntry entry) {
        long now = clock.millis();
        Log log = streams.get(stream, s -> new Log());
        synchronized (log) {
            Position position = new Position(epoch, counter.incrementAndGet());
            log.held.addLast(new Held(position, now, entry));
            while (log.held.size() > maxMessages || log.held.peekFirst().writtenAt() < now - window.toMillis()) {
                log.newestDropped = log.held.removeFirst().position();
            }
            // the write keeps the stream for another window
            streams.put(stream, log);
            return position;
        }
    }

    @Override
    public Replay after(String stream, Position after, int limit) {
        Log log = streams.getIfPresent(stream);
        if (log == null) {
            return after == null || after.equals(Position.ZERO) ? new Replay(false, null, List.of(), false)
                    : Replay.gap(null);
        }
        synchronized (log) {
            Position latest = log.held.peekLast().position();
            if (after == null) {
                return new Replay(false, latest, List.of(), false);
            }
            boolean foreign = !after.equals(Position.ZERO) && after.major() != epoch;
            if (foreign || Gaps.gap(after, log.held.peekFirst().position(), log.newestDropped)) {
                return Replay.gap(latest);
            }
            List<Replay.Stored> entries = new ArrayList<>();
            boolean more = false;
            for (Iterator<Held> i = log.held.iterator(); i.hasNext();) {
                Held held = i.next();
                if (!after.before(held.position())) {
                    continue;
                }
                if (entries.size() == limit) {
                    more = true;
                    break;
                }
                entries.add(new Replay.Stored(held.position(), held.entry()));
            }
            return new Replay(false, latest, entries, more);
        }
    }

    @Override
    public String kind() {
        return "memory";
    }
}
