package io.xregion.emulator.localazure;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.xregion.emulator.security.EntraIssuer;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.emulator.webpubsub.EmulatorOptions;

/**
 * Reads the local Azure's settings (local-azure.properties documents every key) into a {@link LocalAzureConfig}, or
 * refuses them with one line per problem, each naming its setting. A key it does not know is a problem too: a typo
 * such as {@code webpubsub.eastus.prot} would otherwise be ignored, and the instance started on another port.
 *
 * <p>{@code webpubsub.<setting>} and {@code servicebus.<setting>} set a default for every instance or namespace;
 * {@code webpubsub.<instance>.<setting>} and {@code servicebus.<namespace>.<setting>} set one's own. An empty value
 * is no value.
 */
public final class LocalAzureSettings {

    public static final String WEBPUBSUB_INSTANCES = "webpubsub.instances";
    public static final String SERVICEBUS_NAMESPACES = "servicebus.namespaces";
    public static final String CONTROL_HOST = "control.host";
    public static final String CONTROL_PORT = "control.port";
    public static final String OUTPUT_DIRECTORY = "output.directory";
    public static final String ENTRA_ISSUER = "entra.issuer";
    public static final String ENTRA_JWKS_URL = "entra.jwks-url";
    static final String DEFAULT_HOST = "127.0.0.1";
    static final String DEFAULT_OUTPUT_DIRECTORY = "target/local-azure";

    private static final List<String> TOP_LEVEL = List.of(WEBPUBSUB_INSTANCES, SERVICEBUS_NAMESPACES, CONTROL_HOST,
            CONTROL_PORT, OUTPUT_DIRECTORY, ENTRA_ISSUER, ENTRA_JWKS_URL);
    /** Ports are never defaults: one port for every instance would only collide. */
    private static final String PORT = "port";
    /** The app's own rule for instance and namespace names, which become parts of its keys. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    private static final Set<String> WILDCARD_HOSTS = Set.of("0.0.0.0", "0");
    /** Service Bus's rules for queue and topic names (slashes aside) and subscription names. */
    private static final Pattern ENTITY = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,258}[A-Za-z0-9])?");
    private static final Pattern SUBSCRIPTION = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,48}[A-Za-z0-9])?");
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9._-]{1,256}");

    /** The two kinds of named things, their key prefix and what each one takes. */
    private enum Kind {
        WEBPUBSUB("webpubsub", "instance", WEBPUBSUB_INSTANCES,
                List.of("host", PORT, "access-key", "event-handler-url", "entra", "local-auth", "tls")),
        SERVICEBUS("servicebus", "namespace", SERVICEBUS_NAMESPACES,
                List.of("host", PORT, "key-name", "access-key", "queues", "topics", "subscriptions",
                        "lock-duration-ms", "max-delivery-count", "entra", "local-auth", "tls"));

        final String prefix;
        final String noun;
        final String listKey;
        final List<String> settings;

        Kind(String prefix, String noun, String listKey, List<String> settings) {
            this.prefix = prefix;
            this.noun = noun;
            this.listKey = listKey;
            this.settings = settings;
        }

        static Kind byPrefix(String prefix) {
            return Arrays.stream(values()).filter(k -> k.prefix.equals(prefix)).findFirst().orElse(null);
        }
    }

    /** A setting's value and the key it came from (the instance's own, or the default), for messages. */
    private record Value(String key, String text) {
    }

    /** A fixed port some listener asked for, to find two asking for the same one. */
    private record Listener(String key, String host, int port) {
    }

    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<Listener> listeners = new ArrayList<>();
    private final Map<Kind, List<String>> names = new LinkedHashMap<>();
    private final Set<String> tls = new LinkedHashSet<>();
    private EntraIssuer entra;

    private LocalAzureSettings(Map<String, String> settings) {
        settings.forEach((key, value) -> this.settings.put(key.trim(), value == null ? "" : value.trim()));
    }

    /** The configuration these settings describe; an {@link InvalidSettingsException} lists what is wrong. */
    public static LocalAzureConfig parse(Map<String, String> settings) {
        LocalAzureSettings parser = new LocalAzureSettings(settings);
        LocalAzureConfig config = parser.config();
        if (!parser.problems.isEmpty()) {
            throw new InvalidSettingsException(parser.problems);
        }
        return config;
    }

    private LocalAzureConfig config() {
        for (Kind kind : Kind.values()) {
            names.put(kind, names(kind));
        }
        checkKeys();
        entra = entraIssuer();
        if (names.get(Kind.WEBPUBSUB).isEmpty() && names.get(Kind.SERVICEBUS).isEmpty()) {
            problem(WEBPUBSUB_INSTANCES, "nothing to start: neither " + WEBPUBSUB_INSTANCES + " nor "
                    + SERVICEBUS_NAMESPACES + " names one");
        }
        List<EmulatorOptions> webPubSub = names.get(Kind.WEBPUBSUB).stream().map(this::webPubSub)
                .filter(Objects::nonNull).toList();
        List<ServiceBusEmulatorOptions> serviceBus = names.get(Kind.SERVICEBUS).stream().map(this::serviceBus)
                .filter(Objects::nonNull).toList();
        String controlHost = host(value(CONTROL_HOST), true);
        int controlPort = port(value(CONTROL_PORT), controlHost);
        Path output = outputDirectory();
        checkPortsDiffer();
        return new LocalAzureConfig(webPubSub, serviceBus, controlHost, controlPort, output, tls);
    }

    // ---- names and keys

    private List<String> names(Kind kind) {
        Value list = value(kind.listKey);
        Set<String> seen = new LinkedHashSet<>();
        for (String name : items(list)) {
            if (!NAME.matcher(name).matches()) {
                problem(kind.listKey, "'" + name + "' is not a valid " + kind.noun + " name: lower-case letters, "
                        + "digits and dashes, starting with a letter, at most 63 (the app's keys are made of it)");
            } else if (!seen.add(name)) {
                problem(kind.listKey, "names '" + name + "' twice");
            }
        }
        return List.copyOf(seen);
    }

    private void checkKeys() {
        for (String key : new TreeSet<>(settings.keySet())) {
            if (TOP_LEVEL.contains(key)) {
                continue;
            }
            String[] parts = key.split("\\.", -1);
            Kind kind = Kind.byPrefix(parts[0]);
            if (kind != null && parts.length == 2 && kind.settings.contains(parts[1])) {
                if (parts[1].equals(PORT)) {
                    problem(key, "a port is set per " + kind.noun + ": " + kind.prefix + ".<" + kind.noun + ">.port");
                }
            } else if (kind != null && parts.length == 3 && kind.settings.contains(parts[2])) {
                if (!names.get(kind).contains(parts[1])) {
                    problem(key, "names " + kind.noun + " '" + parts[1] + "', which " + kind.listKey
                            + " does not list (it lists " + listed(names.get(kind)) + ")" + suggestion(key));
                }
            } else {
                problem(key, "unknown setting" + suggestion(key));
            }
        }
    }

    /** The nearest key there is, for a typo: at most two letters added, dropped or changed. */
    private String suggestion(String key) {
        List<String> known = new ArrayList<>(TOP_LEVEL);
        for (Kind kind : Kind.values()) {
            for (String setting : kind.settings) {
                if (!setting.equals(PORT)) {
                    known.add(kind.prefix + "." + setting);
                }
                for (String name : names.get(kind)) {
                    known.add(kind.prefix + "." + name + "." + setting);
                }
            }
        }
        String nearest = null;
        int best = 3;
        for (String candidate : known) {
            int distance = distance(key.toLowerCase(Locale.ROOT), candidate);
            if (distance < best) {
                best = distance;
                nearest = candidate;
            }
        }
        return nearest == null ? " (local-azure.properties describes every setting)"
                : "; did you mean " + nearest + "?";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int change = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + change);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    // ---- one instance or namespace

    private EmulatorOptions webPubSub(String name) {
        int problemsBefore = problems.size();
        String host = host(setting(Kind.WEBPUBSUB, name, "host"), false);
        int port = port(setting(Kind.WEBPUBSUB, name, PORT), host);
        String key = accessKey(setting(Kind.WEBPUBSUB, name, "access-key"));
        String eventHandler = eventHandlerUrl(setting(Kind.WEBPUBSUB, name, "event-handler-url"));
        EntraIssuer trusted = entra(Kind.WEBPUBSUB, name);
        boolean localAuth = localAuth(Kind.WEBPUBSUB, name, trusted);
        wantsTls(Kind.WEBPUBSUB, name);
        if (problems.size() > problemsBefore) {
            return null;
        }
        return EmulatorOptions.of(name, key).withHost(host).withPort(port).withEventHandler(eventHandler)
                .withEntra(trusted).withLocalAuth(localAuth);
    }

    private ServiceBusEmulatorOptions serviceBus(String name) {
        int problemsBefore = problems.size();
        String host = host(setting(Kind.SERVICEBUS, name, "host"), false);
        int port = port(setting(Kind.SERVICEBUS, name, PORT), host);
        String key = accessKey(setting(Kind.SERVICEBUS, name, "access-key"));
        Value keyNameValue = setting(Kind.SERVICEBUS, name, "key-name");
        String keyName = keyNameValue == null ? "RootManageSharedAccessKey" : keyNameValue.text();
        if (!KEY_NAME.matcher(keyName).matches()) {
            problem(keyNameValue.key(), "must be 1 to 256 characters of A-Z, a-z, 0-9, ., _ or -");
        }
        int lockMillis = number(setting(Kind.SERVICEBUS, name, "lock-duration-ms"), 100, 600_000,
                (int) ServiceBusEmulatorOptions.DEFAULT_LOCK_DURATION.toMillis());
        int maxDeliveries = number(setting(Kind.SERVICEBUS, name, "max-delivery-count"), 1, 2000, 10);
        Value queuesValue = setting(Kind.SERVICEBUS, name, "queues");
        Value topicsValue = setting(Kind.SERVICEBUS, name, "topics");
        List<String> queues = entities(queuesValue, "queue");
        List<String> topics = entities(topicsValue, "topic");
        String queuesKey = queuesValue == null ? null : queuesValue.key();
        String topicsKey = topicsValue == null ? Kind.SERVICEBUS.prefix + "." + name + ".topics" : topicsValue.key();
        unique(queues, queuesKey);
        unique(topics, topicsKey);
        for (String queue : queues) {
            // Service Bus paths are case-insensitive, and a namespace's queues and topics share them
            if (topics.stream().anyMatch(queue::equalsIgnoreCase)) {
                problem(queuesKey, "'" + queue + "' is also a topic (" + topicsKey + "); a namespace's queues and "
                        + "topics need distinct names");
            }
        }
        Map<String, List<String>> subscriptions = subscriptions(setting(Kind.SERVICEBUS, name, "subscriptions"),
                topics, topicsKey);
        EntraIssuer trusted = entra(Kind.SERVICEBUS, name);
        boolean localAuth = localAuth(Kind.SERVICEBUS, name, trusted);
        wantsTls(Kind.SERVICEBUS, name);
        if (problems.size() > problemsBefore) {
            return null;
        }
        ServiceBusEmulatorOptions options = ServiceBusEmulatorOptions.of(name, key).withHost(host).withPort(port)
                .withEntra(trusted).withLocalAuth(localAuth)
                .withKeyName(keyName).withLockDuration(Duration.ofMillis(lockMillis))
                .withMaxDeliveryCount(maxDeliveries).withQueues(queues.toArray(String[]::new));
        for (String topic : topics) {
            options = options.withTopic(topic, subscriptions.getOrDefault(topic, List.of()).toArray(String[]::new));
        }
        return options;
    }

    /** {@code topic/subscription} items, each of a declared topic, by the topic's declared spelling. */
    private Map<String, List<String>> subscriptions(Value value, List<String> topics, String topicsKey) {
        Map<String, List<String>> byTopic = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String item : items(value)) {
            String[] parts = item.split("/", -1);
            if (parts.length != 2) {
                problem(value.key(), "'" + item + "' is not <topic>/<subscription>");
                continue;
            }
            String topic = topics.stream().filter(t -> t.equalsIgnoreCase(parts[0])).findFirst().orElse(null);
            if (topic == null) {
                problem(value.key(), "'" + item + "' is a subscription of topic '" + parts[0] + "', which "
                        + topicsKey + " does not declare (it declares " + listed(topics) + ")");
            } else if (!SUBSCRIPTION.matcher(parts[1]).matches()) {
                problem(value.key(), "'" + parts[1] + "' is not a valid subscription name: 1 to 50 letters, digits, "
                        + "., _ or -, starting and ending with a letter or digit");
            } else if (!seen.add(item.toLowerCase(Locale.ROOT))) {
                problem(value.key(), "declares '" + item + "' twice");
            } else {
                byTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(parts[1]);
            }
        }
        return byTopic;
    }

    /** Names are case-insensitive in Service Bus: Events and events are one entity. */
    private void unique(List<String> entities, String key) {
        Set<String> seen = new LinkedHashSet<>();
        for (String entity : entities) {
            if (!seen.add(entity.toLowerCase(Locale.ROOT))) {
                problem(key, "declares '" + entity + "' twice");
            }
        }
    }

    private List<String> entities(Value value, String noun) {
        List<String> valid = new ArrayList<>();
        for (String entity : items(value)) {
            if (ENTITY.matcher(entity).matches()) {
                valid.add(entity);
            } else {
                problem(value.key(), "'" + entity + "' is not a valid " + noun + " name: 1 to 260 letters, digits, "
                        + "., _ or -, starting and ending with a letter or digit");
            }
        }
        return valid;
    }

    // ---- Microsoft Entra ID and TLS

    /** entra.issuer and entra.jwks-url: both or neither. */
    private EntraIssuer entraIssuer() {
        Value issuer = value(ENTRA_ISSUER);
        Value jwks = value(ENTRA_JWKS_URL);
        if (issuer == null && jwks == null) {
            return null;
        }
        if (issuer == null || jwks == null) {
            problem(issuer == null ? ENTRA_ISSUER : ENTRA_JWKS_URL, "is needed with "
                    + (issuer == null ? ENTRA_JWKS_URL : ENTRA_ISSUER) + ": the issuer's iss and its JWKS go together");
            return null;
        }
        try {
            return new EntraIssuer(issuer.text(), new URI(jwks.text()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            problem(ENTRA_JWKS_URL, "'" + jwks.text() + "' is not an http:// or https:// URL");
            return null;
        }
    }

    /** The issuer this one trusts when its entra setting is true. */
    private EntraIssuer entra(Kind kind, String name) {
        Value wanted = setting(kind, name, "entra");
        if (!flag(wanted, false)) {
            return null;
        }
        if (entra == null && value(ENTRA_ISSUER) == null && value(ENTRA_JWKS_URL) == null) {
            problem(wanted.key(), "needs " + ENTRA_ISSUER + " and " + ENTRA_JWKS_URL + ": the Entra ID to trust");
        }
        return entra;
    }

    private boolean localAuth(Kind kind, String name, EntraIssuer trusted) {
        Value value = setting(kind, name, "local-auth");
        boolean localAuth = flag(value, true);
        if (!localAuth && trusted == null && value(kind.prefix + "." + name + ".entra") == null
                && value(kind.prefix + ".entra") == null) {
            problem(value.key(), "false leaves no way in: set " + kind.prefix + "." + name + ".entra = true too");
        }
        return localAuth || trusted == null;
    }

    private void wantsTls(Kind kind, String name) {
        if (flag(setting(kind, name, "tls"), false)) {
            tls.add(kind.prefix + "." + name);
        }
    }

    private boolean flag(Value value, boolean fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.text().equalsIgnoreCase("true") || value.text().equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value.text());
        }
        problem(value.key(), "'" + value.text() + "' is neither true nor false");
        return fallback;
    }

    // ---- single values

    private String host(Value value, boolean wildcardAllowed) {
        if (value == null) {
            return DEFAULT_HOST;
        }
        String host = value.text();
        if (!HOST.matcher(host).matches()) {
            problem(value.key(), "'" + host + "' is not a host name or IPv4 address");
        } else if (!wildcardAllowed && WILDCARD_HOSTS.contains(host)) {
            problem(value.key(), host + " listens on every address but cannot go into a connection string; name "
                    + "the address clients connect to, e.g. 127.0.0.1 or this machine's name");
        }
        return host;
    }

    private int port(Value value, String host) {
        int port = number(value, 0, 65535, 0);
        if (value != null && port > 0) {
            listeners.add(new Listener(value.key(), host, port));
        }
        return port;
    }

    private String accessKey(Value value) {
        if (value == null) {
            return AccessKeys.generate();
        }
        if (!AccessKeys.wellFormed(value.text())) {
            // never the value itself: it may be a real key pasted by mistake
            problem(value.key(), "must be " + AccessKeys.SHAPE_DESCRIPTION + " (or empty for a generated one)");
        }
        return value.text();
    }

    private String eventHandlerUrl(Value value) {
        if (value == null) {
            return null;
        }
        try {
            URI uri = new URI(value.text().replace("{hub}", "hub").replace("{event}", "event"));
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return value.text();
            }
        } catch (URISyntaxException e) {
            // refused below, with the same message as any other URL that is not http(s)
        }
        problem(value.key(), "'" + value.text() + "' is not an http:// or https:// URL ({hub} and {event} may "
                + "stand for the hub and the event)");
        return null;
    }

    private int number(Value value, int min, int max, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.text());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below, with the same message as a number out of range
        }
        problem(value.key(), "'" + value.text() + "' is not a whole number from " + min + " to " + max);
        return fallback;
    }

    private Path outputDirectory() {
        Value value = value(OUTPUT_DIRECTORY);
        String text = value == null ? DEFAULT_OUTPUT_DIRECTORY : value.text();
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            problem(OUTPUT_DIRECTORY, "'" + text + "' is not a path: " + e.getReason());
            return Path.of(DEFAULT_OUTPUT_DIRECTORY);
        }
    }

    /** Two listeners on one port of one address (or of every address) cannot both start. */
    private void checkPortsDiffer() {
        for (int i = 0; i < listeners.size(); i++) {
            for (int j = 0; j < i; j++) {
                Listener a = listeners.get(j);
                Listener b = listeners.get(i);
                boolean sameAddress = a.host().equalsIgnoreCase(b.host()) || WILDCARD_HOSTS.contains(a.host())
                        || WILDCARD_HOSTS.contains(b.host());
                if (a.port() == b.port() && sameAddress) {
                    problem(b.key(), "port " + b.port() + " is also " + a.key());
                }
            }
        }
    }

    // ---- plumbing

    /** The instance's own value, else the default for all, else null. */
    private Value setting(Kind kind, String name, String setting) {
        Value own = value(kind.prefix + "." + name + "." + setting);
        return own != null || setting.equals(PORT) ? own : value(kind.prefix + "." + setting);
    }

    private Value value(String key) {
        String text = settings.get(key);
        return text == null || text.isEmpty() ? null : new Value(key, text);
    }

    private static List<String> items(Value value) {
        return value == null ? List.of() : Arrays.stream(value.text().split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    private static String listed(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private void problem(String key, String problem) {
        problems.add(key + ": " + problem);
    }
}
