package io.xregion.identity;

import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * At most so many requests per key (a client address, a user) in each fixed window, counted in this app server only.
 * The counters are bounded in number, so a flood of distinct keys costs memory no more than a flood of requests.
 */
final class RateLimit {

    private record Window(long startMillis, AtomicInteger requests) {
    }

    private final int requests;
    private final long windowMillis;
    private final Clock clock;
    private final Cache<String, Window> windows;

    /** @param requests at most this many per key and window; 0 turns the limit off */
    RateLimit(int requests, Duration window, Clock clock) {
        this.requests = requests;
        this.windowMillis = window.toMillis();
        this.clock = clock;
        this.windows = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(100_000).build();
    }

    /** Counts a request; empty when it is admitted, else the seconds until the key's window ends. */
    OptionalLong refuse(String key) {
        if (requests == 0) {
            return OptionalLong.empty();
        }
        long now = clock.millis();
        Window window = windows.asMap().compute(key, (k, current) -> current == null
                || now - current.startMillis() >= windowMillis ? new Window(now, new AtomicInteger()) : current);
        if (window.requests().incrementAndGet() <= requests) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(1, (window.startMillis() + windowMillis - now + 999) / 1000));
    }
}
