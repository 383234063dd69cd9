package io.xregion.webpubsub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.xregion.config.Settings;
import io.xregion.http.ApiException;
import io.xregion.security.HmacSha256;

/**
 * Guards the event handler: the abuse-protection handshake allows only the configured instances (and the further
 * origins configured for them) as origins, and every event must carry a {@code ce-signature} made with one of their
 * keys.
 *
 * <p>An instance with a custom domain or geo-replicas names several origins in one {@code WebHook-Request-Origin},
 * comma-separated with or without spaces (Microsoft's .NET SDK failed there until Azure/azure-sdk-for-net#38359);
 * the handshake succeeds when one of them is ours and answers with those that are. The service signs each event
 * with both of the instance's keys, so an instance configured with its secondary key too
 * ({@code xregion.webpubsub.<instance>.secondary-access-key}) keeps verifying while its primary key is regenerated.
 */
public final class EventHandlerSecurity {

    /** The exchange variable naming the instance that sent an event. */
    public static final String INSTANCE = "eventInstance";
    /** The exchange variable with the event's kind: connect, connected, disconnected or user. */
    public static final String KIND = "eventKind";

    private final WebPubSubInstances instances;
    /** Every key an instance's events may be signed with, by instance name: its connection string's first. */
    private final Map<String, List<String>> keys;
    /** Further origins (host[:port], lower case) the handshake allows: custom domains, geo-replicas. */
    private final Set<String> extraOrigins;

    public EventHandlerSecurity(WebPubSubInstances instances) {
        this(instances, Map.of(), List.of());
    }

    /**
     * @param secondaryKeys each instance's secondary access key, by instance name (instances without one: absent)
     * @param extraOrigins  further host[:port] names the handshake allows
     */
    public EventHandlerSecurity(WebPubSubInstances instances, Map<String, String> secondaryKeys,
            List<String> extraOrigins) {
        this.instances = instances;
        this.keys = new LinkedHashMap<>();
        for (WebPubSubInstance instance : instances.all()) {
            // an instance reached with Entra ID gives xregion no key: its events cannot be checked, so are refused
            List<String> instanceKeys = new ArrayList<>();
            if (instance.accessKey() != null) {
                instanceKeys.add(instance.accessKey());
            }
            if (secondaryKeys.containsKey(instance.name())) {
                instanceKeys.add(secondaryKeys.get(instance.name()));
            }
            keys.put(instance.name(), List.copyOf(instanceKeys));
        }
        this.extraOrigins = extraOrigins.stream().map(o -> o.trim().toLowerCase(Locale.ROOT))
                .filter(o -> !o.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** Reads the secondary keys and the further allowed origins; messages name the property, never a key. */
    public static EventHandlerSecurity load(Settings settings, WebPubSubInstances instances) {
        Map<String, String> secondaryKeys = new LinkedHashMap<>();
        for (WebPubSubInstance instance : instances.all()) {
            String property = secondaryKeyProperty(instance.name());
            settings.optional(property).ifPresent(key -> {
                if (key.getBytes(StandardCharsets.UTF_8).length < 32) {
                    throw new IllegalStateException(property + " is too short to be an access key (set it to the "
                            + "instance's Secondary key from its Keys page, or leave it empty)");
                }
                secondaryKeys.put(instance.name(), key);
            });
        }
        return new EventHandlerSecurity(instances, secondaryKeys,
                settings.list("xregion.webpubsub.event-handler.allowed-origins"));
    }

    public static String secondaryKeyProperty(String instance) {
        return "xregion.webpubsub." + instance + ".secondary-access-key";
    }

    /**
     * Answers the OPTIONS handshake: WebHook-Allowed-Origin names the requested origins that are ours (a configured
     * instance or a configured further origin); 403 when none is.
     */
    public void allowOrigin(Exchange exchange) {
        Message message = exchange.getMessage();
        List<String> requested = origins(message.getHeader("WebHook-Request-Origin", String.class));
        if (requested.isEmpty()) {
            throw ApiException.badRequest("WebHook-Request-Origin is required");
        }
        List<String> allowed = requested.stream().filter(o -> instanceAt(o) != null || extraOrigins.contains(o))
                .toList();
        if (allowed.isEmpty()) {
            throw new ApiException(403, "OriginNotAllowed", "None of the origins " + requested
                    + " is a configured Web PubSub instance or one of xregion.webpubsub.event-handler.allowed-origins");
        }
        message.removeHeaders("*");
        message.setHeader("WebHook-Allowed-Origin", String.join(", ", allowed));
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setBody(null);
    }

    /**
     * Checks an event's CloudEvents headers and signature; the instance whose key signed it goes into the
     * {@value #INSTANCE} variable and the event's kind into {@value #KIND}.
     * The instance the origin names is tried first; any configured key is accepted, as the service signs with the
     * instance's primary and secondary keys alike.
     */
    public void verify(Exchange exchange) {
        Message message = exchange.getMessage();
        String connectionId = message.getHeader("ce-connectionId", String.class);
        if (connectionId == null || connectionId.isBlank()) {
            throw ApiException.badRequest("ce-connectionId is required (CloudEvents binary mode)");
        }
        // the signature first: a caller without a key learns nothing about what else we expect
        exchange.setVariable(INSTANCE, signer(message, connectionId).name());
        String type = message.getHeader("ce-type", String.class);
        if (type == null || type.isBlank()) {
            throw ApiException.badRequest("ce-type is required (CloudEvents binary mode)");
        }
        exchange.setVariable(KIND, kind(type));
    }

    private WebPubSubInstance signer(Message message, String connectionId) {
        String signatures = message.getHeader("ce-signature", String.class);
        if (signatures == null || signatures.isBlank()) {
            throw new ApiException(401, "SignatureMissing", "ce-signature is required");
        }
        // the instances the origins name first, then every other one
        List<WebPubSubInstance> candidates = new ArrayList<>();
        for (String origin : origins(message.getHeader("WebHook-Request-Origin", String.class))) {
            WebPubSubInstance instance = instanceAt(origin);
            if (instance != null && !candidates.contains(instance)) {
                candidates.add(instance);
            }
        }
        instances.all().stream().filter(i -> !candidates.contains(i)).forEach(candidates::add);
        for (WebPubSubInstance instance : candidates) {
            if (signedBy(instance, connectionId, signatures)) {
                return instance;
            }
        }
        throw new ApiException(401, "SignatureInvalid", "ce-signature does not match any configured instance's key");
    }

    private static String kind(String type) {
        return switch (type) {
            case "azure.webpubsub.sys.connect" -> "connect";
            case "azure.webpubsub.sys.connected" -> "connected";
            case "azure.webpubsub.sys.disconnected" -> "disconnected";
            default -> {
                if (type.startsWith("azure.webpubsub.user.") && type.length() > "azure.webpubsub.user.".length()) {
                    yield "user";
                }
                if (type.startsWith("azure.webpubsub.sys.")) {
                    yield "system";
                }
                throw ApiException.badRequest("ce-type '" + type + "' is not a Web PubSub event");
            }
        };
    }

    private boolean signedBy(WebPubSubInstance instance, String connectionId, String signatures) {
        for (String key : keys.get(instance.name())) {
            byte[] expected = ("sha256=" + HmacSha256.hex(key, connectionId)).getBytes(StandardCharsets.US_ASCII);
            for (String signature : signatures.split(",")) {
                if (MessageDigest.isEqual(expected,
                        signature.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The origins of a WebHook-Request-Origin header: comma-separated, spaces around them or not, lower case. */
    private static List<String> origins(String header) {
        if (header == null) {
            return List.of();
        }
        return Arrays.stream(header.split(",")).map(o -> o.trim().toLowerCase(Locale.ROOT)).filter(o -> !o.isEmpty())
                .distinct().toList();
    }

    /** The instance an origin (host[:port], lower case) names, or null; the service itself sends only its host. */
    private WebPubSubInstance instanceAt(String origin) {
        return instances.byAuthority(origin).or(() -> instances.all().stream()
                .filter(i -> i.endpoint().getHost().equals(origin)).findFirst()).orElse(null);
    }
}
