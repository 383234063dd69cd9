package io.xregion.servicebus.dedup;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
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
    public IdempotentRepository servicebusDedup(CamelContext context) {
        Settings settings = Settings.of(context);
        Duration window = Duration.ofSeconds(settings.number("xregion.servicebus.dedup.window-seconds", 1,
                7 * 86_400));
        long entries = settings.number("xregion.servicebus.dedup.max-entries", 1, 100_000_000);
        String kind = settings.required(STORE).toLowerCase(Locale.ROOT);
        if (kind.equals("memory")) {
            return new BoundedCaffeineIdempotentRepository(window, entries);
        }
        if (!kind.equals("redis")) {
            throw new IllegalStateException(STORE + " (" + env(STORE) + ") must be memory or redis");
        }
        List<RedisEndpoint> redis = settings.list("xregion.servicebus.dedup.redis.endpoints").stream()
                .map(RedisEndpoint::parse).toList();
        if (redis.isEmpty()) {
            throw new IllegalStateException(Settings.missing("xregion.servicebus.dedup.redis.endpoints")
                    + "; it is needed with " + STORE + " = redis");
        }
        long holdMillis = settings.number("xregion.servicebus.dedup.redis.hold-ms", Long.MIN_VALUE, Long.MAX_VALUE);
        if (holdMillis < -1 || holdMillis > 86_400_000) {
            throw new IllegalStateException("xregion.servicebus.dedup.redis.hold-ms ("
                    + env("xregion.servicebus.dedup.redis.hold-ms")
                    + ") must be -1 (hold for ever), 0 (degrade at once) or up to 86400000");
        }
        Duration pollMillis = millis(settings, "xregion.servicebus.dedup.redis.poll-ms", 10, 60_000);
        Duration firstPollMillis = millis(settings, "xregion.servicebus.dedup.redis.first-poll-ms", 1, 60_000);
        if (firstPollMillis.compareTo(pollMillis) > 0) {
            throw new IllegalStateException("xregion.servicebus.dedup.redis.first-poll-ms ("
                    + env("xregion.servicebus.dedup.redis.first-poll-ms") + ") must not be more than "
                    + "xregion.servicebus.dedup.redis.poll-ms (" + env("xregion.servicebus.dedup.redis.poll-ms") + ")");
        }
        return new RedisDuplicateStore(new DuplicateStoreSettings(redis,
                settings.optional(ACCESS_KEY).orElse(""),
                settings.optional(OWNER).orElseGet(DuplicateStoreConfiguration::hostAndProcess)
                        + "#" + UUID.randomUUID().toString().substring(0, 8),
                settings.optional("xregion.servicebus.dedup.redis.key-prefix").orElse(""),
                millis(settings, "xregion.servicebus.dedup.redis.claim-lease-ms", 300, 600_000),
                window, entries, Duration.ofMillis(holdMillis),
                millis(settings, "xregion.servicebus.dedup.redis.claim-wait-ms", 0, 3_600_000),
                firstPollMillis, pollMillis,
                millis(settings, "xregion.servicebus.dedup.redis.probe-interval-ms", 50, 600_000),
                millis(settings, "xregion.servicebus.dedup.redis.connect-timeout-ms", 1, 600_000),
                millis(settings, "xregion.servicebus.dedup.redis.timeout-ms", 1, 600_000),
                (int) settings.number("xregion.servicebus.dedup.redis.max-connections", 1, 1000)));
    }

    @BindToRegistry(value = "servicebusDedupReadiness", lazy = true)
    public DuplicateStoreReadiness servicebusDedupReadiness(@BeanInject("servicebusDedup") IdempotentRepository store) {
        return new DuplicateStoreReadiness(store);
    }

    @Override
    public void configure(CamelContext camelContext) {
        // the beans above are all there is
    }

    private static Duration millis(Settings settings, String key, long min, long max) {
        return Duration.ofMillis(settings.number(key, min, max));
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
