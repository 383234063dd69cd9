package io.xregion.webpubsub;

import java.util.Locale;
import java.util.Optional;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.xregion.http.ApiException;
import io.xregion.security.Hs256Jwt;

/**
 * Guards the event handler: the abuse-protection handshake allows only the configured instances as origins, and
 * every event must carry a {@code ce-signature} made with one of their keys.
 */
public final class EventHandlerSecurity {

    /** The exchange variable naming the instance that sent an event. */
    public static final String INSTANCE = "eventInstance";
    /** The exchange variable with the event's kind: connect, connected, disconnected or user. */
    public static final String KIND = "eventKind";

    private final WebPubSubInstances instances;

    public EventHandlerSecurity(WebPubSubInstances instances) {
        this.instances = instances;
    }

    /** Answers the OPTIONS handshake: WebHook-Allowed-Origin names the origin when it is one of our instances. */
    public void allowOrigin(Exchange exchange) {
        Message message = exchange.getMessage();
        String requested = message.getHeader("WebHook-Request-Origin", String.class);
        if (requested == null || requested.isBlank()) {
            throw ApiException.badRequest("WebHook-Request-Origin is required");
        }
        for (String origin : requested.split(",")) {
            if (instanceAt(origin.trim()).isEmpty()) {
                throw new ApiException(403, "OriginNotAllowed", "Origin '" + origin.trim()
                        + "' is not one of the configured Web PubSub instances");
            }
        }
        message.removeHeaders("*");
        message.setHeader("WebHook-Allowed-Origin", requested.trim());
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
        Optional<WebPubSubInstance> origin = instanceAt(message.getHeader("WebHook-Request-Origin", String.class));
        if (origin.isPresent() && signedBy(origin.get(), connectionId, signatures)) {
            return origin.get();
        }
        for (WebPubSubInstance instance : instances.all()) {
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

    private static boolean signedBy(WebPubSubInstance instance, String connectionId, String signatures) {
        String expected = "sha256=" + Hs256Jwt.HmacSha256.hex(instance.accessKey(), connectionId);
        for (String signature : signatures.split(",")) {
            if (java.security.MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    signature.trim().toLowerCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }

    /** The instance an origin (host[:port]) names; the service itself sends only its host name. */
    private Optional<WebPubSubInstance> instanceAt(String origin) {
        if (origin == null) {
            return Optional.empty();
        }
        String lower = origin.trim().toLowerCase(Locale.ROOT);
        return instances.all().stream()
                .filter(i -> i.authority().equals(lower) || i.endpoint().getHost().equals(lower))
                .findFirst();
    }
}
