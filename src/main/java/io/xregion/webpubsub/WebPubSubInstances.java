package io.xregion.webpubsub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.xregion.config.Settings;

/**
 * The configured Web PubSub instances in preference order, which of them is this app server's primary, and the hub.
 *
 * <pre>
 * xregion.webpubsub.instances = eastus,westus        # preference order
 * xregion.webpubsub.primary   = eastus               # this app server's own region
 * xregion.webpubsub.hub       = chat
 * xregion.webpubsub.eastus.connection-string = ...   # from the environment or a mounted secret
 * </pre>
 */
public final class WebPubSubInstances {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern HUB = Pattern.compile("[A-Za-z][A-Za-z0-9_`,.\\[\\]]{0,127}");

    private final List<WebPubSubInstance> ordered;
    private final Map<String, WebPubSubInstance> byName;
    private final Map<String, WebPubSubInstance> byAuthority;
    private final WebPubSubInstance primary;
    private final String hub;

    /**
     * @param ordered the instances in preference order, exactly one of them the {@link InstanceRole#PRIMARY}
     */
    public WebPubSubInstances(List<WebPubSubInstance> ordered, String hub) {
        if (ordered.isEmpty()) {
            throw new IllegalStateException("xregion.webpubsub.instances names no instance");
        }
        if (!HUB.matcher(hub).matches()) {
            throw new IllegalStateException("xregion.webpubsub.hub '" + hub + "' is not a valid hub name");
        }
        this.ordered = List.copyOf(ordered);
        this.byName = new LinkedHashMap<>();
        this.byAuthority = new LinkedHashMap<>();
        for (WebPubSubInstance instance : ordered) {
            if (byName.put(instance.name(), instance) != null) {
                throw new IllegalStateException("xregion.webpubsub.instances names '" + instance.name() + "' twice");
            }
            if (byAuthority.put(instance.authority(), instance) != null) {
                throw new IllegalStateException("two Web PubSub instances share the endpoint " + instance.endpoint());
            }
        }
        List<WebPubSubInstance> primaries = ordered.stream().filter(i -> i.role() == InstanceRole.PRIMARY).toList();
        if (primaries.size() != 1) {
            throw new IllegalStateException("exactly one Web PubSub instance must be the primary, not "
                    + primaries.size());
        }
        this.primary = primaries.get(0);
        this.hub = hub;
    }

    /** Whether a string has the shape of an instance name (lower-case letters, digits and dashes, 1 to 63). */
    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Reads the instances from configuration; the message of any failure names the property, never a secret. */
    public static WebPubSubInstances load(Settings settings) {
        Map<String, WebPubSubConnectionString> connectionStrings = new LinkedHashMap<>();
        for (String name : settings.list("xregion.webpubsub.instances")) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException("Web PubSub instance name '" + name
                        + "' must be lower-case letters, digits and dashes");
            }
            String key = connectionStringKey(name);
            String connectionString = settings.optional(key)
                    .orElseThrow(() -> new IllegalStateException("Web PubSub instance '" + name
                            + "' has no connection string: " + Settings.missing(key)));
            WebPubSubConnectionString parsed;
            try {
                parsed = WebPubSubConnectionString.parse(connectionString);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Web PubSub instance '" + name + "': " + e.getMessage(), e);
            }
            if (connectionStrings.put(name, parsed) != null) {
                throw new IllegalStateException("xregion.webpubsub.instances names '" + name + "' twice");
            }
        }
        String primary = settings.required("xregion.webpubsub.primary");
        String hub = settings.required("xregion.webpubsub.hub");
        if (!connectionStrings.isEmpty() && !connectionStrings.containsKey(primary)) {
            throw new IllegalStateException("xregion.webpubsub.primary '" + primary
                    + "' is not one of xregion.webpubsub.instances " + connectionStrings.keySet());
        }
        List<WebPubSubInstance> instances = new ArrayList<>();
        connectionStrings.forEach((name, connectionString) -> instances.add(WebPubSubInstance.of(name,
                connectionString, name.equals(primary) ? InstanceRole.PRIMARY : InstanceRole.SECONDARY)));
        return new WebPubSubInstances(instances, hub);
    }

    public static String connectionStringKey(String name) {
        return "xregion.webpubsub." + name + ".connection-string";
    }

    /** All instances, in preference order. */
    public List<WebPubSubInstance> all() {
        return ordered;
    }

    public List<String> names() {
        return ordered.stream().map(WebPubSubInstance::name).toList();
    }

    public WebPubSubInstance primary() {
        return primary;
    }

    /** Every instance but the primary, in preference order. */
    public List<WebPubSubInstance> secondaries() {
        return ordered.stream().filter(i -> i.role() == InstanceRole.SECONDARY).toList();
    }

    public Optional<WebPubSubInstance> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The instance whose endpoint has this host[:port]. */
    public Optional<WebPubSubInstance> byAuthority(String authority) {
        return Optional.ofNullable(authority == null ? null : byAuthority.get(authority.toLowerCase(java.util.Locale.ROOT)));
    }

    public String hub() {
        return hub;
    }
}
