package io.xregion.servicebus.dedup;

import java.time.Duration;
import java.util.List;

import io.xregion.testing.RedisServer;

/** Redis duplicate stores for tests: short leases and waits, one owner name each. */
public final class RedisStores {

    private RedisStores() {
    }

    public static DuplicateStoreSettings settings(RedisServer redis, String owner, long leaseMillis, long claimWaitMillis,
            long holdMillis) {
        return settings(redis, "test:", owner, leaseMillis, claimWaitMillis, holdMillis);
    }

    /** With the key prefix of application.properties, to share ids with an app's store. */
    public static DuplicateStoreSettings appSettings(RedisServer redis, String owner, long leaseMillis,
            long claimWaitMillis, long holdMillis) {
        return settings(redis, "xregion:dedup:", owner, leaseMillis, claimWaitMillis, holdMillis);
    }

    private static DuplicateStoreSettings settings(RedisServer redis, String prefix, String owner, long leaseMillis,
            long claimWaitMillis, long holdMillis) {
        return new DuplicateStoreSettings(List.of(RedisEndpoint.parse(redis.url())), "", owner, prefix,
                Duration.ofMillis(leaseMillis), Duration.ofSeconds(60), 10_000, Duration.ofMillis(holdMillis),
                Duration.ofMillis(claimWaitMillis), Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(100),
                Duration.ofMillis(300), Duration.ofMillis(1000), 8);
    }

    /** A started store: it renews its claims and probes Redis. */
    public static RedisDuplicateStore started(DuplicateStoreSettings settings) {
        RedisDuplicateStore store = new RedisDuplicateStore(settings);
        store.start();
        return store;
    }
}
