package io.xregion.servicebus;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

import io.xregion.security.AzureCredential;

/**
 * One Service Bus namespace as xregion uses it: its name (usually its region), where it is, and what a send may
 * cost before it counts as failed.
 *
 * @param name             the namespace's name in configuration, routes and metrics
 * @param host             the namespace host (or Geo-DR alias) from the connection string
 * @param port             the AMQP port (5671, or the emulator's)
 * @param connectionString the full connection string; never logged, never answered; null for a namespace reached
 *                         with a Microsoft Entra ID credential
 * @param tryTimeout       how long one send attempt may take
 * @param maxRetries       how many times the SDK retries a send that failed transiently
 * @param credential       how xregion authenticates to it ({@code xregion.servicebus.<namespace>.credential})
 */
public record ServiceBusNamespace(String name, String host, int port, String connectionString, Duration tryTimeout,
        int maxRetries, AzureCredential credential) {

    private static final Pattern FQDN = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    public ServiceBusNamespace {
        if (credential == AzureCredential.KEY && connectionString == null) {
            throw new IllegalArgumentException("Service Bus namespace '" + name + "' has no connection string");
        }
        if (credential.entra()) {
            connectionString = null;
        }
    }

    /**
     * A namespace reached with Microsoft Entra ID: its fully qualified name ({@code <name>.servicebus.windows.net}),
     * where the SDK always speaks AMQP over TLS on 5671.
     */
    public static ServiceBusNamespace entra(String name, String fullyQualifiedNamespace, Duration tryTimeout,
            int maxRetries, AzureCredential credential) {
        if (!FQDN.matcher(fullyQualifiedNamespace).matches()) {
            throw new IllegalArgumentException("the fully qualified namespace must be a host name such as "
                    + "<name>.servicebus.windows.net, without scheme, port or path");
        }
        return new ServiceBusNamespace(name, fullyQualifiedNamespace, 5671, null, tryTimeout, maxRetries, credential);
    }

    /** Reads host and port from an {@code Endpoint=sb://host[:port]/;...} connection string. */
    public static ServiceBusNamespace of(String name, String connectionString, Duration tryTimeout, int maxRetries) {
        String endpoint = null;
        boolean emulator = false;
        for (String segment : connectionString.split(";")) {
            int eq = segment.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = segment.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = segment.substring(eq + 1).trim();
            if (key.equals("endpoint")) {
                endpoint = value;
            } else if (key.equals("usedevelopmentemulator")) {
                emulator = Boolean.parseBoolean(value);
            }
        }
        if (endpoint == null) {
            throw new IllegalArgumentException("connection string has no Endpoint");
        }
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connection string Endpoint is not a URL");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("connection string Endpoint has no host");
        }
        int port = uri.getPort() != -1 ? uri.getPort() : emulator ? 5672 : 5671;
        return new ServiceBusNamespace(name, uri.getHost(), port, connectionString, tryTimeout, maxRetries,
                AzureCredential.KEY);
    }

    /**
     * The longest one send can take: every attempt's timeout and the SDK's pauses between them (up to its 10 s
     * maximum delay each).
     */
    public Duration sendBudget() {
        return tryTimeout.multipliedBy(maxRetries + 1L).plusSeconds(10L * maxRetries);
    }

    /**
     * Whether the SDK speaks AMQP over TLS to it: always, but for the local emulator's
     * {@code UseDevelopmentEmulator=true} connection strings (plain AMQP, as the SDK does for them).
     */
    public boolean tls() {
        if (connectionString == null) {
            return true;
        }
        for (String segment : connectionString.split(";")) {
            int eq = segment.indexOf('=');
            if (eq > 0 && segment.substring(0, eq).trim().equalsIgnoreCase("UseDevelopmentEmulator")) {
                return !Boolean.parseBoolean(segment.substring(eq + 1).trim());
            }
        }
        return true;
    }

    /** The host the namespace is reached at: an Entra credential needs it, a connection string carries it. */
    public String fullyQualifiedNamespace() {
        return host;
    }

    @Override
    public String toString() {
        return "ServiceBusNamespace[" + name + " " + host + ":" + port + " " + credential.setting() + "]";
    }
}
