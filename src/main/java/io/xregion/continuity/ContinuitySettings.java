package io.xregion.continuity;

import java.time.Duration;

import io.xregion.config.Settings;

/**
 * Message continuity's settings (the xregion.continuity.* keys), read and checked once; the switch is a route
 * placeholder too (routes/continuity.camel.yaml).
 */
public record ContinuitySettings(boolean enabled, Duration window, int maxMessages, Duration timeout, String keyPrefix,
        int resumeMaxMessages) {

    static final String ENABLED = "xregion.continuity.enabled";
    static final String WINDOW = "xregion.continuity.history.window-seconds";
    static final String MAX_MESSAGES = "xregion.continuity.history.max-messages";
    static final String TIMEOUT = "xregion.continuity.history.timeout-ms";
    static final String KEY_PREFIX = "xregion.continuity.history.key-prefix";
    static final String RESUME_MAX = "xregion.continuity.resume.max-messages";

    public static ContinuitySettings load(Settings settings) {
        return new ContinuitySettings(settings.flag(ENABLED),
                Duration.ofSeconds(settings.number(WINDOW, 1, 86_400)),
                (int) settings.number(MAX_MESSAGES, 1, 1_000_000),
                // checked whichever the store, so a bad value fails at start-up before anyone switches to redis
                Duration.ofMillis(settings.number(TIMEOUT, 1, 60_000)),
                settings.optional(KEY_PREFIX).orElse("").trim(),
                (int) settings.number(RESUME_MAX, 1, 10_000));
    }
}
