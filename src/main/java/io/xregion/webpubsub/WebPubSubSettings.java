package io.xregion.webpubsub;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.xregion.config.Settings;

/**
 * Every Web PubSub setting but the instances themselves ({@link WebPubSubInstances}, whose keys are named after them),
 * read and checked once at start-up: what the beans use, and what the routes use as {@code {{placeholders}}}
 * (health rounds and probes, failback). A bad value stops the start, naming the key and its environment variable.
 */
public record WebPubSubSettings(Health health, Rest rest, ClientTokens clientTokens, HomeGroupSettings homeGroups,
        Failback failback, int broadcastMaxMessageBytes, String router) {

    private static final String PREFIX = "xregion.webpubsub.";
    /** A bean name or a camel-master namespace: what a placeholder puts in an endpoint URI. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** routes/webpubsub-health*.camel.yaml: a round every interval, a probe's timeout, a quick re-probe's pause. */
    public record Health(Duration interval, Duration timeout, Duration confirmDelay, int failureThreshold,
            int successThreshold) {
    }

    /** Every REST call to an instance (broadcast, failback close, :generateToken). */
    public record Rest(Duration connectTimeout, Duration responseTimeout, Duration otherInstancesWait,
            Duration tokenLifetime) {
    }

    /** The client access tokens negotiate mints. */
    public record ClientTokens(Duration lifetime, List<String> roles) {
    }

    /** The home groups <prefix>.<primary>.<shard> every client joins. */
    public record HomeGroupSettings(String prefix, int shards) {
    }

    /** routes/webpubsub-failback.camel.yaml. */
    public record Failback(boolean enabled, Duration pace, String reason, String leadershipNamespace) {
    }

    public static WebPubSubSettings load(Settings settings) {
        Health health = new Health(millis(settings, "health.interval-ms", 100, 3_600_000),
                millis(settings, "health.timeout-ms", 1, 600_000),
                millis(settings, "health.confirm-delay-ms", 0, 600_000),
                (int) settings.number(PREFIX + "health.failure-threshold", 1, 100),
                (int) settings.number(PREFIX + "health.success-threshold", 1, 100));
        Rest rest = new Rest(millis(settings, "rest.connect-timeout-ms", 1, 600_000),
                millis(settings, "rest.response-timeout-ms", 1, 600_000),
                millis(settings, "rest.other-instances-wait-ms", 1, 600_000),
                Duration.ofSeconds(settings.number(PREFIX + "rest.token-lifetime-seconds", 60, 86_400)));
        ClientTokens clientTokens = new ClientTokens(
                Duration.ofSeconds(settings.number(PREFIX + "client-token.lifetime-seconds", 60, 86_400)),
                settings.list(PREFIX + "client-token.roles"));
        HomeGroupSettings homeGroups = new HomeGroupSettings(settings.required(PREFIX + "home-groups.prefix"),
                (int) settings.number(PREFIX + "home-groups.shards", 1, 1000));
        Failback failback = new Failback(settings.flag(PREFIX + "failback.enabled"),
                millis(settings, "failback.pace-ms", 0, 3_600_000), settings.required(PREFIX + "failback.reason"),
                name(settings, PREFIX + "failback.leadership-namespace"));
        return new WebPubSubSettings(health, rest, clientTokens, homeGroups, failback,
                (int) settings.number(PREFIX + "broadcast.max-message-bytes", 1, 1024 * 1024),
                name(settings, WebPubSubRouting.ROUTER_PROPERTY));
    }

    private static Duration millis(Settings settings, String key, long min, long max) {
        return Duration.ofMillis(settings.number(PREFIX + key, min, max));
    }

    private static String name(Settings settings, String key) {
        String name = settings.required(key);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException(key + " '" + name + "' must be letters, digits, dots, dashes and "
                    + "underscores");
        }
        return name;
    }
}
