package io.xregion.webpubsub;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.xregion.config.Settings;
import io.xregion.security.AzureCredential;

/**
 * The configured Web PubSub instances in preference order, which of them is this app server's primary, and the hub.
 *
 * <pre>
 * xregion.webpubsub.instances = eastus,westus        # preference order
 * xregion.webpubsub.primary   = eastus               # this app server's own region
 * xregion.webpubsub.hub       = chat
 * xregion.webpubsub.eastus.connection-string = ...   # from the environment or a mounted secret
 * xregion.webpubsub.westus.credential = managed-identity   # or workload-identity: no key, Microsoft Entra ID
 * xregion.webpubsub.westus.endpoint   = https://westus-xregion.webpubsub.azure.com
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
        Map<String, AzureCredential> credentials = new LinkedHashMap<>();
        for (String name : settings.list("xregion.webpubsub.instances")) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException("Web PubSub instance name '" + name
                        + "' must be lower-case letters, digits and dashes");
            }
            AzureCredential credential = settings.optional(credentialKey(name))
                    .map(value -> AzureCredential.parse(credentialKey(name), value)).orElse(AzureCredential.KEY);
            if (credential.entra()) {
                if (credentials.put(name, credential) != null) {
                    throw new IllegalStateException("xregion.webpubsub.instances names '" + name + "' twice");
                }
                connectionStrings.put(name, null);
                continue;
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
        connectionStrings.forEach((name, connectionString) -> {
            InstanceRole role = name.equals(primary) ? InstanceRole.PRIMARY : InstanceRole.SECONDARY;
            instances.add(connectionString != null ? WebPubSubInstance.of(name, connectionString, role)
                    : WebPubSubInstance.entra(name, endpoint(settings, name), role, credentials.get(name)));
        });
        return new WebPubSubInstances(instances, hub);
    }

    /** An Entra instance's endpoint: {@code https://<name>.webpubsub.azure.com}, or a custom domain. */
    private static URI endpoint(Settings settings, String name) {
        String key = endpointKey(name);
        String value = settings.optional(key).orElseThrow(() -> new IllegalStateException("Web PubSub instance '"
                + name + "' uses " + settings.required(credentialKey(name)) + " and so needs its endpoint: "
                + Settings.missing(key)));
        URI uri;
        try {
            uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(key + " is not a URL");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null
                || uri.getRawPath() != null && !uri.getRawPath().isEmpty() || uri.getRawQuery() != null) {
            throw new IllegalStateException(key + " must be https://host[:port], with no path or query");
        }
        return uri;
    }

    public static String connectionStringKey(String name) {
        return "xregion.webpubsub." + name + ".connection-string";
    }

    /** {@code xregion.webpubsub.<instance>.credential}: key (the default), managed-identity or workload-identity. */
    public static String credentialKey(String name) {
        return "xregion.webpubsub." + name + ".credential";
    }

    /** {@code xregion.webpubsub.<instance>.endpoint}: where an instance without a connection string is. */
    public static String endpointKey(String name) {
        return "xregion.webpubsub." + name + ".endpoint";
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
