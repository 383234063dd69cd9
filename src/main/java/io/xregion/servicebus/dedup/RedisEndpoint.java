package io.xregion.servicebus.dedup;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One Redis endpoint of {@code xregion.servicebus.dedup.redis.endpoints}: {@code redis://host:port} (plain) or
 * {@code rediss://host:port} (TLS, as Azure Managed Redis and Azure Cache for Redis require). The password is never
 * part of it (it comes from {@code xregion.servicebus.dedup.redis.access-key}), so {@link #name()} can be shown.
 */
public record RedisEndpoint(String host, int port, boolean tls) {

    static final String PROPERTY = "xregion.servicebus.dedup.redis.endpoints";

    public static RedisEndpoint parse(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw invalid("is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw invalid("must start with redis:// or rediss://");
        }
        if (uri.getRawUserInfo() != null) {
            // a password in the URL would end up in logs and health details: it has a property of its own
            throw invalid("must not hold a user or password (set xregion.servicebus.dedup.redis.access-key)");
        }
        if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
            throw invalid("must name a host and a port (e.g. rediss://example.redis.cache.windows.net:6380)");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null) {
            throw invalid("takes host and port only");
        }
        return new RedisEndpoint(uri.getHost(), uri.getPort(), scheme.equals("rediss"));
    }

    private static IllegalStateException invalid(String why) {
        // the value is not echoed: a mistyped one may hold a secret
        return new IllegalStateException(PROPERTY + " (XREGION_SERVICEBUS_DEDUP_REDIS_ENDPOINTS): each endpoint " + why);
    }

    /** host:port, as health details and logs show it. */
    public String name() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + name();
    }
}
