package io.xregion.webpubsub;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import org.apache.camel.Exchange;

import io.xregion.http.ApiException;

/**
 * Checks a message before it is fanned out, so that bad input gets one clear 4xx instead of every instance
 * refusing it: a content type the service accepts, a JSON body that is JSON, a size the service takes.
 */
public final class BroadcastPayload {

    private static final Set<String> MEDIA_TYPES = Set.of("text/plain", "application/json", "application/octet-stream");
    private static final JsonFactory JSON = new JsonFactory();

    private final int maxBytes;

    public BroadcastPayload(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Leaves the body as bytes and the Content-Type as the caller sent it. */
    public void check(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        String[] parts = contentType == null ? new String[] {""} : contentType.split(";", -1);
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!MEDIA_TYPES.contains(mediaType)) {
            throw new ApiException(415, "UnsupportedMediaType",
                    "Content-Type must be text/plain, application/json or application/octet-stream");
        }
        for (int i = 1; i < parts.length; i++) {
            checkParameter(parts[i]);
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("The message is empty");
        }
        if (body.length > maxBytes) {
            throw new ApiException(413, "PayloadTooLarge", "The message is larger than " + maxBytes + " bytes");
        }
        if (mediaType.equals("application/json") && !isJson(body)) {
            throw ApiException.badRequest("The body is not valid JSON although Content-Type is application/json");
        }
        exchange.getMessage().setBody(body);
    }

    /**
     * Web PubSub reads text as UTF-8, and a charset the HTTP client cannot encode would fail the call to every
     * instance at once, which must not pass for an outage: anything but UTF-8 is refused here.
     */
    private static void checkParameter(String parameter) {
        String trimmed = parameter.trim();
        if (trimmed.isEmpty()) {
            return;
        }
        int equals = trimmed.indexOf('=');
        String name = equals < 0 ? trimmed : trimmed.substring(0, equals).trim();
        if (!name.equalsIgnoreCase("charset")) {
            return;
        }
        String value = equals < 0 ? "" : trimmed.substring(equals + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        if (!value.equalsIgnoreCase("utf-8") && !value.equalsIgnoreCase("utf8")) {
            throw new ApiException(415, "UnsupportedCharset", "Only UTF-8 text is accepted (charset=utf-8)");
        }
    }

    private static boolean isJson(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
