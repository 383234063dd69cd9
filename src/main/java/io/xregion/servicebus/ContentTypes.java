package io.xregion.servicebus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * The three content types a broadcast carries (Web PubSub's text, json and binary) and how a received message gets
 * one: from its declared ContentType, or, when it declares none, from its bytes.
 */
final class ContentTypes {

    static final String TEXT = "text/plain";
    static final String JSON = "application/json";
    static final String BINARY = "application/octet-stream";

    // RFC 9110 token characters, type "/" subtype
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+/[a-z0-9!#$%&'*+.^_`|~-]+");
    // text that is not text/*: clients get it as text, not as opaque bytes
    private static final Set<String> TEXT_APPLICATION_TYPES = Set.of("application/xml", "application/yaml",
            "application/x-yaml", "application/javascript", "application/x-ndjson",
            "application/x-www-form-urlencoded");
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private ContentTypes() {
    }

    /**
     * A declared content type: the media type as given (lower case), the broadcast content type it maps to, and the
     * charset parameter (null when absent).
     */
    record Declared(String mediaType, String broadcastType, String charset) {

        boolean isText() {
            return !broadcastType.equals(BINARY);
        }
    }

    /**
     * What a declared ContentType asks for, or null when there is none or it is not a media type at all (such as
     * {@code json}): such a label tells nothing, and the bytes decide.
     */
    static Declared declared(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";", -1);
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!MEDIA_TYPE.matcher(mediaType).matches()) {
            return null;
        }
        String charset = null;
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("charset")) {
                charset = unquote(parameter.substring(equals + 1).trim());
            }
        }
        return new Declared(mediaType, broadcastType(mediaType), charset);
    }

    /** text/plain, JSON (application/json, text/json, any +json), other text (text/*, XML, ...) or opaque bytes. */
    static String broadcastType(String mediaType) {
        if (mediaType.equals(JSON) || mediaType.equals("text/json") || mediaType.endsWith("+json")) {
            return JSON;
        }
        if (mediaType.startsWith("text/") || mediaType.endsWith("+xml")
                || TEXT_APPLICATION_TYPES.contains(mediaType)) {
            return TEXT;
        }
        return BINARY;
    }

    /** The charset a declared text type names (UTF-8 when it names none); throws when Java does not know it. */
    static Charset charset(Declared declared) {
        if (declared.charset() == null || declared.charset().isEmpty()) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(declared.charset());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new UnprocessableMessageException(ReceivedMessages.UNSUPPORTED_CHARSET,
                    "The content type " + declared.mediaType() + " names the charset '" + declared.charset()
                            + "', which this app server cannot read");
        }
    }

    /** The text as UTF-8 bytes; throws when the bytes are not valid in the charset. */
    static byte[] toUtf8(byte[] bytes, Charset charset, String mediaType) {
        if (charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII) && isAscii(bytes)) {
            if (!isUtf8(bytes)) {
                throw notText(mediaType, charset);
            }
            return bytes;
        }
        try {
            String text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return text.getBytes(StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw notText(mediaType, charset);
        }
    }

    private static UnprocessableMessageException notText(String mediaType, Charset charset) {
        return new UnprocessableMessageException(ReceivedMessages.INVALID_TEXT,
                "The body is not valid " + charset.name() + " text although its content type is " + mediaType);
    }

    /** Throws when the UTF-8 bytes are not one JSON value; the description names where, never the content. */
    static void requireJson(byte[] utf8, String mediaType) {
        try (JsonParser parser = JSON_FACTORY.createParser(utf8)) {
            if (parser.nextToken() == null) {
                throw new UnprocessableMessageException(ReceivedMessages.INVALID_JSON,
                        "The body is not JSON although its content type is " + mediaType + ": it is blank");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw notJson(mediaType, parser.currentLocation(), "more follows the first JSON value");
            }
        } catch (JsonParseException e) {
            throw notJson(mediaType, e.getLocation(), "it does not parse");
        } catch (IOException e) {
            throw notJson(mediaType, null, "it does not parse");
        }
    }

    private static UnprocessableMessageException notJson(String mediaType, JsonLocation where, String what) {
        String at = where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
        return new UnprocessableMessageException(ReceivedMessages.INVALID_JSON,
                "The body is not JSON although its content type is " + mediaType + ": " + what + at);
    }

    /**
     * The content type of bytes that declare none, read as the official JavaScript SDK's receiver reads them (it
     * JSON-encodes every body but a Buffer when sending, and JSON-decodes what it receives): valid UTF-8 that is one
     * JSON value is JSON, except a JSON string, which is its own text (the SDK sends {@code "hello"} for hello); other
     * valid UTF-8 is text; anything else is bytes.
     */
    static ReceivedBody sniff(byte[] bytes) {
        if (!isUtf8(bytes)) {
            return new ReceivedBody(bytes, BINARY);
        }
        try (JsonParser parser = JSON_FACTORY.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new ReceivedBody(bytes, TEXT);
            }
            String string = first == JsonToken.VALUE_STRING ? parser.getText() : null;
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return new ReceivedBody(bytes, TEXT);
            }
            return string != null ? new ReceivedBody(string.getBytes(StandardCharsets.UTF_8), TEXT)
                    : new ReceivedBody(bytes, JSON);
        } catch (IOException e) {
            return new ReceivedBody(bytes, TEXT);
        }
    }

    static boolean isUtf8(byte[] bytes) {
        if (isAscii(bytes)) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
