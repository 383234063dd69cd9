package io.xregion.continuity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.camel.Header;
import org.apache.camel.Variable;

import io.xregion.http.ApiException;
import io.xregion.identity.ClientIdentity;

/**
 * {@code GET /resume?stream=…&after=…}: what a client missed in one stream since a position, for the identity
 * negotiate's gate established. A user reads {@code all}, the groups its identity puts it in and its own
 * {@code user:} stream, nothing of anyone else's. The answer:
 * {@code {"stream":…,"gap":false,"position":…,"more":false,"messages":[envelope, …]}}, the messages oldest first
 * and each an envelope as live clients get it; {@code position} is where the client stands once it has them (the
 * newest position when it gave no {@code after}, so that a new client learns where to resume from). A position
 * older than the history holds answers {@code "gap":true} and the newest position, to re-sync from.
 */
public final class ContinuityResume {

    private static final JsonFactory JSON = new JsonFactory();

    private final RecordingHistory history;
    private final boolean enabled;
    private final int maxMessages;

    public ContinuityResume(RecordingHistory history, boolean enabled, int maxMessages) {
        this.history = history;
        this.enabled = enabled;
        this.maxMessages = maxMessages;
    }

    public String resume(@Variable(ClientIdentity.VARIABLE) ClientIdentity identity, @Header("stream") Object stream,
            @Header("after") Object after) {
        if (!enabled) {
            throw new ApiException(404, "ContinuityOff", "Message continuity is off (xregion.continuity.enabled)");
        }
        String name = StreamName.check(stream);
        authorize(identity, name);
        if (after != null && !(after instanceof String)) {
            throw ApiException.badRequest("after must be given at most once");
        }
        Position from = after == null ? null : Position.parse((String) after);
        Replay replay;
        try {
            replay = history.after(name, from, maxMessages);
        } catch (RuntimeException e) {
            throw new ApiException(503, "HistoryUnavailable", "The message history does not answer now", 1);
        }
        return answer(name, from, replay);
    }

    private static void authorize(ClientIdentity identity, String stream) {
        if (stream.equals(StreamName.ALL)) {
            return;
        }
        String user = identity == null ? null : identity.userId();
        boolean own = stream.startsWith("user:") && user != null && stream.substring(5).equals(user)
                || stream.startsWith("group:") && identity != null && identity.groups().contains(stream.substring(6));
        if (!own) {
            throw new ApiException(403, "Forbidden", "This identity may resume all, its own user stream and its "
                    + "groups only");
        }
    }

    private static String answer(String stream, Position from, Replay replay) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("stream", stream);
            json.writeBooleanField("gap", replay.gap());
            Position position = replay.gap() || from == null ? replay.latest()
                    : replay.entries().isEmpty() ? from : replay.entries().get(replay.entries().size() - 1).position();
            json.writeStringField("position", (position == null ? Position.ZERO : position).toString());
            json.writeBooleanField("more", replay.more());
            json.writeArrayFieldStart("messages");
            for (Replay.Stored stored : replay.entries()) {
                Envelope.write(json, stream, stored.position(), stored.entry());
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
