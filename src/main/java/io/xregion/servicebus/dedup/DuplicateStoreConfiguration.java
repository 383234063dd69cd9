package io.xregion.servicebus.dedup;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.util.IOHelper;

import io.xregion.config.Settings;
import io.xregion.servicebus.BoundedCaffeineIdempotentRepository;

/**
 * The duplicate store the receive route's idempotent consumer uses ({@code servicebusDedup}, named by
 * {@code xregion.servicebus.dedup.repository}), chosen by {@code xregion.servicebus.dedup.store}: {@code memory}
 * (one app server) or {@code redis} (shared by every app server reading the same entity).
 */
public class DuplicateStoreConfiguration implements CamelConfiguration {

    static final String STORE = "xregion.servicebus.dedup.store";
    static final String ACCESS_KEY = "xregion.servicebus.dedup.redis.access-key";
    static final String OWNER = "xregion.servicebus.dedup.redis.owner";

    @BindToRegistry(value = "servicebusDedup", lazy = true)
    public IdempotentRepository servicebusDedup(CamelContext context,
            @PropertyInject(STORE) String store,
            @PropertyInject("xregion.servicebus.dedup.window-seconds") long windowSeconds,
            @PropertyInject("xregion.servicebus.dedup.max-entries") long maxEntries,
            @PropertyInject("xregion.servicebus.dedup.redis.endpoints") String endpoints,
            @PropertyInject("xregion.servicebus.dedup.redis.key-prefix") String keyPrefix,
            @PropertyInject("xregion.servicebus.dedup.redis.claim-lease-ms") long leaseMillis,
            @PropertyInject("xregion.servicebus.dedup.redis.claim-wait-ms") long claimWaitMillis,
            @PropertyInject("xregion.servicebus.dedup.redis.poll-ms") long pollMillis,
            @PropertyInject("xregion.servicebus.dedup.redis.hold-ms") long holdMillis,
            @PropertyInject("xregion.servicebus.dedup.redis.probe-interval-ms") long probeMillis,
            @PropertyInject("xregion.servicebus.dedup.redis.connect-timeout-ms") long connectTimeoutMillis,
            @PropertyInject("xregion.servicebus.dedup.redis.timeout-ms") long timeoutMillis,
            @PropertyInject("xregion.servicebus.dedup.redis.max-connections") long maxConnections) {
        Duration window = Duration.ofSeconds(range("xregion.servicebus.dedup.window-seconds", windowSeconds, 1,
                7 * 86_400));
        range("xregion.servicebus.dedup.max-entries", maxEntries, 1, 100_000_000);
        String kind = store == null ? "" : store.trim().toLowerCase(Locale.ROOT);
        if (kind.equals("memory")) {
            return new BoundedCaffeineIdempotentRepository(window, maxEntries);
        }
        if (!kind.equals("redis")) {
            throw new IllegalStateException(STORE + " (" + env(STORE) + ") must be memory or redis");
        }
        List<RedisEndpoint> redis = Arrays.stream(endpoints == null ? new String[0] : endpoints.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(RedisEndpoint::parse).toList();
        if (redis.isEmpty()) {
            throw new IllegalStateException(Settings.missing("xregion.servicebus.dedup.redis.endpoints")
                    + "; it is needed with " + STORE + " = redis");
        }
        Settings settings = Settings.of(context);
        long lease = range("xregion.servicebus.dedup.redis.claim-lease-ms", leaseMillis, 300, 600_000);
        long hold = holdMillis;
        if (hold < -1 || hold > 86_400_000) {
            throw new IllegalStateException("xregion.servicebus.dedup.redis.hold-ms ("
                    + env("xregion.servicebus.dedup.redis.hold-ms")
                    + ") must be -1 (hold for ever), 0 (degrade at once) or up to 86400000");
        }
        return new RedisDuplicateStore(new DuplicateStoreSettings(redis,
                settings.optional(ACCESS_KEY).orElse(""),
                settings.optional(OWNER).orElseGet(DuplicateStoreConfiguration::hostAndProcess)
                        + "#" + UUID.randomUUID().toString().substring(0, 8),
                keyPrefix == null ? "" : keyPrefix.trim(),
                Duration.ofMillis(lease), window, maxEntries, Duration.ofMillis(hold),
                Duration.ofMillis(range("xregion.servicebus.dedup.redis.claim-wait-ms", claimWaitMillis, 0,
                        3_600_000)),
                Duration.ofMillis(range("xregion.servicebus.dedup.redis.poll-ms", pollMillis, 10, 60_000)),
                Duration.ofMillis(range("xregion.servicebus.dedup.redis.probe-interval-ms", probeMillis, 50,
                        600_000)),
                Duration.ofMillis(range("xregion.servicebus.dedup.redis.connect-timeout-ms", connectTimeoutMillis, 1,
                        600_000)),
                Duration.ofMillis(range("xregion.servicebus.dedup.redis.timeout-ms", timeoutMillis, 1, 600_000)),
                (int) range("xregion.servicebus.dedup.redis.max-connections", maxConnections, 1, 1000)));
    }

    @BindToRegistry(value = "servicebusDedupReadiness", lazy = true)
    public DuplicateStoreReadiness servicebusDedupReadiness(@BeanInject("servicebusDedup") IdempotentRepository store) {
        return new DuplicateStoreReadiness(store);
    }

    @Override
    public void configure(CamelContext camelContext) {
        // the beans above are all there is
    }

    private static long range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalStateException(key + " (" + env(key) + ") must be between " + min + " and " + max);
        }
        return value;
    }

    private static String env(String key) {
        return IOHelper.normalizeEnvironmentVariable(key);
    }

    /** The claim's owner: which app server, and which run of it (a restarted one must not take its old claims). */
    private static String hostAndProcess() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
