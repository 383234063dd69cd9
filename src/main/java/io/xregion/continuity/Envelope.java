package io.xregion.continuity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * The envelope v1 that clients who opted in receive instead of the raw message:
 * {@code {"id":"…","stream":"all","position":"…","dataType":"json","data":…}}. {@code data} is the message itself for
 * json, a string for text, base64 for binary (as Web PubSub's own JSON subprotocol carries binary). {@code position}
 * is null when the history could not be written (the message is still delivered; a resume cannot find it).
 */
public final class Envelope {

    /** The group a connection joins to get envelopes; its members get no raw copy. */
    public static final String GROUP = "xregion.v1";

    private static final JsonFactory JSON = new JsonFactory();

    private Envelope() {
    }

    /** Web PubSub's data type of a Content-Type (BroadcastPayload already allowed only these three). */
    public static String dataType(String contentType) {
        String media = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (media) {
            case "application/json" -> "json";
            case "text/plain" -> "text";
            default -> "binary";
        };
    }

    public static byte[] of(String stream, Position position, HistoryEntry entry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(entry.data().length + 160);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(json, stream, position, entry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void write(JsonGenerator json, String stream, Position position, HistoryEntry entry) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", entry.id());
        json.writeStringField("stream", stream);
        json.writeStringField("position", position == null ? null : position.toString());
        json.writeStringField("dataType", entry.dataType());
        json.writeFieldName("data");
        switch (entry.dataType()) {
            case "json" -> json.writeRawValue(new String(entry.data(), StandardCharsets.UTF_8));
            case "text" -> json.writeString(new String(entry.data(), StandardCharsets.UTF_8));
            default -> json.writeBinary(entry.data());
        }
        json.writeEndObject();
    }
}
