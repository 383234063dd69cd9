package io.xregion.servicebus;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.xregion.config.Settings;
import io.xregion.security.AzureCredential;

/**
 * How xregion uses Service Bus: the replication mode, the two namespaces (the primary is the one passive
 * replication starts with), the entity both hold, and the namespaces' message size limit (a publish's, and a drained
 * batch's).
 *
 * <pre>
 * xregion.servicebus.mode      = active            # or passive
 * xregion.servicebus.primary   = eastus
 * xregion.servicebus.secondary = westus
 * xregion.servicebus.entity    = xregion-messages  # a queue, or a topic (entity-type = topic, subscription = ...)
 * xregion.servicebus.eastus.connection-string = ...   # from the environment or a mounted secret
 * xregion.servicebus.westus.credential = managed-identity   # or workload-identity: no key, Microsoft Entra ID
 * xregion.servicebus.westus.fully-qualified-namespace = westus-xregion.servicebus.windows.net
 * xregion.servicebus.max-message-bytes = 250000
 * </pre>
 */
public record ServiceBusSettings(Mode mode, ServiceBusNamespace primary, ServiceBusNamespace secondary,
        String entity, String entityType, String subscription, int maxMessageBytes) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    /** Active replication sends every message to both namespaces; passive sends to one and fails over. */
    public enum Mode {
        ACTIVE, PASSIVE
    }

    public List<ServiceBusNamespace> namespaces() {
        return List.of(primary, secondary);
    }

    public ServiceBusNamespace namespace(String name) {
        return namespaces().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Service Bus namespace named '" + name + "'"));
    }

    public static String connectionStringKey(String name) {
        return "xregion.servicebus." + name + ".connection-string";
    }

    /** {@code xregion.servicebus.<namespace>.credential}: key (the default), managed-identity or workload-identity. */
    public static String credentialKey(String name) {
        return "xregion.servicebus." + name + ".credential";
    }

    /** {@code xregion.servicebus.<namespace>.fully-qualified-namespace}: where an Entra namespace is. */
    public static String fullyQualifiedNamespaceKey(String name) {
        return "xregion.servicebus." + name + ".fully-qualified-namespace";
    }

    public static ServiceBusSettings load(Settings settings) {
        String mode = settings.required("xregion.servicebus.mode");
        if (!mode.equals("active") && !mode.equals("passive")) {
            throw new IllegalStateException("xregion.servicebus.mode must be active or passive, not '" + mode + "'");
        }
        String primary = name(settings, "xregion.servicebus.primary");
        String secondary = name(settings, "xregion.servicebus.secondary");
        if (primary.equals(secondary)) {
            throw new IllegalStateException("xregion.servicebus.primary and secondary must be two namespaces");
        }
        String entityType = settings.required("xregion.servicebus.entity-type");
        if (!entityType.equals("queue") && !entityType.equals("topic")) {
            throw new IllegalStateException("xregion.servicebus.entity-type must be queue or topic");
        }
        String subscription = settings.optional("xregion.servicebus.subscription").orElse(null);
        if (entityType.equals("topic") && subscription == null) {
            throw new IllegalStateException(Settings.missing("xregion.servicebus.subscription")
                    + ": a topic is read through a subscription");
        }
        return new ServiceBusSettings(mode.equals("active") ? Mode.ACTIVE : Mode.PASSIVE,
                namespace(settings, primary), namespace(settings, secondary),
                settings.required("xregion.servicebus.entity"), entityType, subscription,
                (int) settings.number("xregion.servicebus.max-message-bytes", 1, 100 * 1024 * 1024));
    }

    private static String name(Settings settings, String key) {
        String name = settings.required(key);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException(key + " '" + name + "' must be lower-case letters, digits and dashes");
        }
        return name;
    }

    /** A namespace with its send budget: the namespace's own keys override the shared defaults. */
    private static ServiceBusNamespace namespace(Settings settings, String name) {
        AzureCredential credential = settings.optional(credentialKey(name))
                .map(value -> AzureCredential.parse(credentialKey(name), value)).orElse(AzureCredential.KEY);
        String key = credential.entra() ? fullyQualifiedNamespaceKey(name) : connectionStringKey(name);
        String connectionString = settings.optional(key).orElseThrow(() -> new IllegalStateException(
                "Service Bus namespace '" + name + "' has no " + (credential.entra() ? "fully qualified namespace "
                        + "(it uses " + credential.setting() + ")" : "connection string") + ": "
                        + Settings.missing(key)));
        String own = "xregion.servicebus." + name + ".send.";
        long tryTimeout = settings.optional(own + "try-timeout-ms").isPresent()
                ? settings.number(own + "try-timeout-ms", 100, 600_000)
                : settings.number("xregion.servicebus.send.try-timeout-ms", 100, 600_000);
        long retries = settings.optional(own + "max-retries").isPresent()
                ? settings.number(own + "max-retries", 0, 10)
                : settings.number("xregion.servicebus.send.max-retries", 0, 10);
        try {
            return credential.entra()
                    ? ServiceBusNamespace.entra(name, connectionString, Duration.ofMillis(tryTimeout), (int) retries,
                            credential)
                    : ServiceBusNamespace.of(name, connectionString, Duration.ofMillis(tryTimeout), (int) retries);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Service Bus namespace '" + name + "': " + e.getMessage(), e);
        }
    }
}
