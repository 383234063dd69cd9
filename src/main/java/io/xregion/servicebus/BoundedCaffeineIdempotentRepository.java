package io.xregion.servicebus;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The MessageIds seen recently, in Caffeine: bounded in size, each forgotten a while after it was written (the
 * duplicate window, like the broker's duplicate detection), and with an atomic add, so that two copies of one message
 * arriving at the same moment from two namespaces cannot both pass. (camel-caffeine's own repository is unbounded
 * and checks then puts.) It lives in one JVM: several receivers need a shared repository instead, see docs/duplicate-store.md.
 */
@ManagedResource(description = "Bounded, time-limited idempotent repository (Caffeine)")
public final class BoundedCaffeineIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private final Cache<String, Boolean> seen;
    private final Duration window;
    private final long maxEntries;

    public BoundedCaffeineIdempotentRepository(Duration window, long maxEntries) {
        this.window = window;
        this.maxEntries = maxEntries;
        this.seen = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(maxEntries).build();
    }

    @Override
    public boolean add(String key) {
        return seen.asMap().putIfAbsent(key, Boolean.TRUE) == null;
    }

    @Override
    public boolean contains(String key) {
        return seen.asMap().containsKey(key);
    }

    @Override
    public boolean remove(String key) {
        return seen.asMap().remove(key) != null;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        seen.invalidateAll();
    }

    @ManagedAttribute(description = "Entries held now (approximate)")
    public long getSize() {
        return seen.estimatedSize();
    }

    @ManagedAttribute(description = "How long an entry is kept, in seconds")
    public long getWindowSeconds() {
        return window.toSeconds();
    }

    @ManagedAttribute(description = "The most entries kept")
    public long getMaxEntries() {
        return maxEntries;
    }
}
