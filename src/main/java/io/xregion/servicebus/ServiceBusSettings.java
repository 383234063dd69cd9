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
 *
 * And every other Service Bus setting, read and checked once at start-up: the reachability probes, the sends' shared
 * budget, the receivers, the outbox, and the duplicate store's bean (the store's own settings are
 * {@code DuplicateStoreSettings}'). The routes' {@code {{placeholders}}} of these keys read the values checked here.
 */
public record ServiceBusSettings(Mode mode, ServiceBusNamespace primary, ServiceBusNamespace secondary,
        String entity, String entityType, String subscription, int maxMessageBytes, Health health, Send send,
        Receive receive, OutboxSettings outbox, String dedupRepository, boolean readyWhileQueueing) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    /** Service Bus entity names: letters, digits, periods, dashes, underscores (and slashes, for queues). */
    private static final Pattern ENTITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,259}");
    private static final Pattern SUBSCRIPTION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,49}");
    private static final Pattern BEAN = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.-]{0,127}");
    private static final String PREFIX = "xregion.servicebus.";

    /** routes/servicebus-health.camel.yaml: a round every interval; an AMQP probe's timeout; a re-probe's pause. */
    public record Health(Duration interval, Duration timeout, Duration confirmDelay, int failureThreshold,
            int successThreshold) {
    }

    /** What every send shares (each namespace's own budget is in {@link ServiceBusNamespace}). */
    public record Send(Duration otherCopiesWait, Duration hedgeAfter, int maxInFlight) {
    }

    /** routes/servicebus-receive*.camel.yaml: the consumers, and the retries of a failed processing. */
    public record Receive(int maxConcurrentCalls, int prefetchCount, Duration lockRenewal, int maxRetries,
            Duration initialRetryDelay, Duration maxRetryDelay) {
    }

    /** The local outbox (routes/servicebus-outbox.camel.yaml). */
    public record OutboxSettings(boolean enabled, String directory, boolean fsync, int maxMessages, Duration poll,
            Duration initialBackoff, Duration maxBackoff, int batchMessages) {
    }

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
        if (subscription != null) {
            shaped(PREFIX + "subscription", subscription, SUBSCRIPTION);
        }
        Health health = new Health(millis(settings, "health.interval-ms", 100, 3_600_000),
                millis(settings, "health.timeout-ms", 1, 600_000), millis(settings, "health.confirm-delay-ms", 0,
                        600_000),
                (int) settings.number(PREFIX + "health.failure-threshold", 1, 100),
                (int) settings.number(PREFIX + "health.success-threshold", 1, 100));
        Send send = new Send(millis(settings, "send.other-copies-wait-ms", 0, 60_000),
                millis(settings, "send.hedge-after-ms", 0, 600_000),
                (int) settings.number(PREFIX + "send.max-in-flight", 1, 100_000));
        Receive receive = new Receive((int) settings.number(PREFIX + "receive.max-concurrent-calls", 1, 1000),
                (int) settings.number(PREFIX + "receive.prefetch-count", 0, 10_000),
                millis(settings, "receive.lock-renewal-ms", 10_000, 86_400_000),
                (int) settings.number(PREFIX + "receive.retry.max-retries", 0, 100),
                millis(settings, "receive.retry.initial-delay-ms", 1, 600_000),
                millis(settings, "receive.retry.max-delay-ms", 1, 600_000));
        OutboxSettings outbox = new OutboxSettings(settings.flag(PREFIX + "outbox.enabled"),
                settings.required(PREFIX + "outbox.directory"), settings.flag(PREFIX + "outbox.fsync"),
                (int) settings.number(PREFIX + "outbox.max-messages", 1, 100_000_000),
                millis(settings, "outbox.poll-ms", 10, 3_600_000),
                millis(settings, "outbox.backoff.initial-ms", 1, 3_600_000),
                millis(settings, "outbox.backoff.max-ms", 1, 3_600_000),
                (int) settings.number(PREFIX + "outbox.batch-messages", 1, 4500));
        return new ServiceBusSettings(mode.equals("active") ? Mode.ACTIVE : Mode.PASSIVE,
                namespace(settings, primary), namespace(settings, secondary),
                shaped(PREFIX + "entity", settings.required(PREFIX + "entity"), ENTITY), entityType, subscription,
                (int) settings.number("xregion.servicebus.max-message-bytes", 1, 100 * 1024 * 1024), health, send,
                receive, outbox, shaped(PREFIX + "dedup.repository", settings.required(PREFIX + "dedup.repository"),
                        BEAN),
                settings.flag(PREFIX + "ready-while-queueing"));
    }

    private static Duration millis(Settings settings, String key, long min, long max) {
        return Duration.ofMillis(settings.number(PREFIX + key, min, max));
    }

    private static String shaped(String key, String value, Pattern shape) {
        if (!shape.matcher(value).matches()) {
            throw new IllegalStateException(key + " '" + value + "' is not a valid name");
        }
        return value;
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
