package io.xregion.webpubsub;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A Web PubSub connection string: {@code Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;}
 * with an optional {@code Port=<n>} that overrides the endpoint's port.
 *
 * <p>Parsed as the service's SDKs do: segments split on {@code ;}, each on its first {@code =}, keys
 * case-insensitive and trimmed, duplicate keys refused, {@code https://} assumed when the endpoint has no scheme.
 * No message or {@link #toString()} ever contains the access key.
 */
public final class WebPubSubConnectionString {

    private final URI endpoint;
    private final String accessKey;

    private WebPubSubConnectionString(URI endpoint, String accessKey) {
        this.endpoint = endpoint;
        this.accessKey = accessKey;
    }

    /**
     * @throws IllegalArgumentException naming what is missing or malformed, without any secret
     */
    public static WebPubSubConnectionString parse(String connectionString) {
        if (connectionString == null || connectionString.isBlank()) {
            throw new IllegalArgumentException("connection string is empty");
        }
        Map<String, String> values = new LinkedHashMap<>();
        int index = 0;
        for (String segment : connectionString.split(";")) {
            index++;
            if (segment.isBlank()) {
                continue;
            }
            int eq = segment.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("connection string segment " + index + " is not key=value");
            }
            String key = segment.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = segment.substring(eq + 1).trim();
            if (values.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException("connection string repeats the key '" + key + "'");
            }
        }
        String endpoint = values.get("endpoint");
        if (endpoint == null || endpoint.isEmpty()) {
            throw new IllegalArgumentException("connection string has no Endpoint");
        }
        String key = values.get("accesskey");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(
                    "connection string has no AccessKey (Microsoft Entra ID authentication is not supported yet)");
        }
        return new WebPubSubConnectionString(endpoint(endpoint, values.get("port")), key);
    }

    private static URI endpoint(String value, String port) {
        String withScheme = value.contains("://") ? value : "https://" + value;
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("connection string Endpoint is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("connection string Endpoint must be http:// or https://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("connection string Endpoint has no host");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new IllegalArgumentException("connection string Endpoint must not have a path");
        }
        int effectivePort = uri.getPort();
        if (port != null && !port.isEmpty()) {
            try {
                effectivePort = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("connection string Port is not a number");
            }
            if (effectivePort < 1 || effectivePort > 65535) {
                throw new IllegalArgumentException("connection string Port is out of range");
            }
        }
        boolean defaultPort = effectivePort == -1
                || (scheme.equals("http") && effectivePort == 80)
                || (scheme.equals("https") && effectivePort == 443);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return URI.create(scheme + "://" + host + (defaultPort ? "" : ":" + effectivePort));
    }

    /** {@code scheme://host[:port]}, no trailing slash, the port only when it is not the scheme's default. */
    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    @Override
    public String toString() {
        return "Endpoint=" + endpoint + ";AccessKey=***;Version=1.0;";
    }
}
