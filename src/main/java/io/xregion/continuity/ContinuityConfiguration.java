package io.xregion.continuity;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import io.xregion.config.Settings;
import io.xregion.servicebus.dedup.RedisConnections;
import io.xregion.servicebus.dedup.RedisEndpoint;

/**
 * Message continuity (docs/continuity.md): the history of broadcasts, kept where the duplicate store keeps its ids
 * (xregion.servicebus.dedup.store: redis, shared by every app server, or memory, this app server's), the two-step
 * broadcast and the resume API. Off by default (xregion.continuity.enabled): then a broadcast is one fan-out as
 * before and /resume answers 404.
 */
public class ContinuityConfiguration implements CamelConfiguration {

    static final String ENABLED = "xregion.continuity.enabled";
    static final String WINDOW = "xregion.continuity.history.window-seconds";
    static final String MAX_MESSAGES = "xregion.continuity.history.max-messages";
    static final String TIMEOUT = "xregion.continuity.history.timeout-ms";
    static final String KEY_PREFIX = "xregion.continuity.history.key-prefix";
    static final String RESUME_MAX = "xregion.continuity.resume.max-messages";

    @BindToRegistry(value = "continuityHistory", lazy = true)
    public RecordingHistory continuityHistory(CamelContext context,
            @PropertyInject("xregion.servicebus.dedup.store") String store,
            @PropertyInject(WINDOW) String windowSeconds,
            @PropertyInject(MAX_MESSAGES) String maxMessages,
            @PropertyInject(TIMEOUT) String timeout,
            @PropertyInject(KEY_PREFIX) String keyPrefix,
            @PropertyInject("xregion.servicebus.dedup.redis.endpoints") String endpoints,
            @PropertyInject("xregion.servicebus.dedup.redis.probe-interval-ms") String probeInterval) {
        Duration window = Duration.ofSeconds(Settings.number(WINDOW, windowSeconds, 1, 86_400));
        int max = Settings.intNumber(MAX_MESSAGES, maxMessages, 1, 1_000_000);
        Duration pause = Duration.ofMillis(Settings.number("xregion.servicebus.dedup.redis.probe-interval-ms",
                probeInterval, 50, 600_000));
        // checked whichever the store, so a bad value fails at start-up before anyone switches to redis
        Duration answer = Duration.ofMillis(Settings.number(TIMEOUT, timeout, 1, 60_000));
        MessageHistory history;
        if (Settings.required("xregion.servicebus.dedup.store", store).toLowerCase(Locale.ROOT).equals("redis")) {
            List<RedisEndpoint> redis = Settings.commaSeparated(endpoints).stream().map(RedisEndpoint::parse)
                    .toList();
            if (redis.isEmpty()) {
                throw new IllegalStateException(Settings.missing("xregion.servicebus.dedup.redis.endpoints")
                        + "; the message history needs it with xregion.servicebus.dedup.store = redis");
            }
            // connections of its own, with its own short timeout: a broadcast waits on the history at most that long
            RedisConnections connections = new RedisConnections(redis, Settings.of(context)
                    .optional("xregion.servicebus.dedup.redis.access-key").orElse(""), "xregion-history", answer,
                    answer, 16);
            history = new RedisHistory(connections, keyPrefix == null ? "" : keyPrefix.trim(), window, max);
        } else {
            history = new MemoryHistory(window, max, Clock.systemUTC());
        }
        return new RecordingHistory(history, pause, Clock.systemUTC());
    }

    @BindToRegistry(value = "continuityBroadcast", lazy = true)
    public ContinuityBroadcast continuityBroadcast(@BeanInject("continuityHistory") RecordingHistory history,
            @PropertyInject("xregion.webpubsub.broadcast.max-message-bytes") String maxMessageBytes) {
        return new ContinuityBroadcast(history,
                Settings.intNumber("xregion.webpubsub.broadcast.max-message-bytes", maxMessageBytes, 1, 1024 * 1024));
    }

    @BindToRegistry(value = "continuityResume", lazy = true)
    public ContinuityResume continuityResume(CamelContext context, @PropertyInject(ENABLED) String enabled,
            @PropertyInject(RESUME_MAX) String maxMessages) {
        boolean on = Settings.flag(ENABLED, enabled);
        int max = Settings.intNumber(RESUME_MAX, maxMessages, 1, 10_000);
        // off: no history is made (nor a Redis connection)
        return new ContinuityResume(on ? context.getRegistry().lookupByNameAndType("continuityHistory",
                RecordingHistory.class) : null, on, max);
    }

    @BindToRegistry(value = "envelopeOptIn", lazy = true)
    public EnvelopeOptIn envelopeOptIn() {
        return new EnvelopeOptIn();
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        if (!Settings.flag(ENABLED, settings.optional(ENABLED).orElse(null))) {
            return;
        }
        context.addStartupListener((camel, alreadyStarted) -> {
            if (!alreadyStarted) {
                MeterRegistry meters = camel.getRegistry().findSingleByType(MeterRegistry.class);
                RecordingHistory history = camel.getRegistry().lookupByNameAndType("continuityHistory",
                        RecordingHistory.class);
                if (meters != null && history != null) {
                    history.meters(meters);
                }
            }
        });
    }
}
