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


    @BindToRegistry(value = "continuityHistory", lazy = true)
    public RecordingHistory continuityHistory(CamelContext context) {
        Settings settings = Settings.of(context);
        String store = settings.required("xregion.servicebus.dedup.store");
        ContinuitySettings continuity = ContinuitySettings.load(settings);
        Duration window = continuity.window();
        int max = continuity.maxMessages();
        Duration pause = Duration.ofMillis(settings.number("xregion.servicebus.dedup.redis.probe-interval-ms", 50,
                600_000));
        Duration answer = continuity.timeout();
        String endpoints = settings.optional("xregion.servicebus.dedup.redis.endpoints").orElse("");
        String keyPrefix = continuity.keyPrefix();
        MessageHistory history;
        if (store.toLowerCase(Locale.ROOT).equals("redis")) {
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
    public ContinuityBroadcast continuityBroadcast(CamelContext context,
            @BeanInject("continuityHistory") RecordingHistory history) {
        return new ContinuityBroadcast(history, (int) Settings.of(context)
                .number("xregion.webpubsub.broadcast.max-message-bytes", 1, 1024 * 1024));
    }

    @BindToRegistry(value = "continuityResume", lazy = true)
    public ContinuityResume continuityResume(CamelContext context) {
        Settings settings = Settings.of(context);
        ContinuitySettings continuity = ContinuitySettings.load(settings);
        boolean on = continuity.enabled();
        int max = continuity.resumeMaxMessages();
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
        if (!ContinuitySettings.load(settings).enabled()) {
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
