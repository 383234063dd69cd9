package io.xregion.continuity;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.xregion.http.ApiException;
import io.xregion.webpubsub.WebPubSubRequest;

/**
 * The stream a broadcast belongs to, named as clients name it: {@code all}, {@code group:<name>} or
 * {@code user:<userId>}. A broadcast's stream is read off its REST call's path, so every way of making one (the
 * receive route's, the user's own in direct:process) has a stream without a word from its author.
 */
public final class StreamName {

    public static final String ALL = "all";
    private static final Pattern SEND = Pattern.compile("/api/hubs/[^/]+(?:/(groups|users)/([^/]+))?/:send");
    private static final int MAX_NAME = 1024;

    private StreamName() {
    }

    /** The stream of a broadcast's REST call. */
    public static String of(WebPubSubRequest request) {
        Matcher matcher = SEND.matcher(request.path());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a broadcast: " + request.path());
        }
        if (matcher.group(1) == null) {
            return ALL;
        }
        String name = URLDecoder.decode(matcher.group(2).replace("+", "%2B"), StandardCharsets.UTF_8);
        return (matcher.group(1).equals("groups") ? "group:" : "user:") + name;
    }

    /** A client's {@code stream}: 400 when it names none of the three kinds. */
    public static String check(Object value) {
        if (!(value instanceof String stream) || stream.isBlank()) {
            throw ApiException.badRequest("stream must be given once: all, group:<name> or user:<userId>");
        }
        if (stream.equals(ALL)) {
            return stream;
        }
        int colon = stream.indexOf(':');
        String kind = colon < 0 ? "" : stream.substring(0, colon);
        String name = colon < 0 ? "" : stream.substring(colon + 1);
        if (!kind.equals("group") && !kind.equals("user") || name.isBlank() || name.length() > MAX_NAME
                || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("stream must be all, group:<name> or user:<userId> (a name of 1 to "
                    + MAX_NAME + " characters)");
        }
        return stream;
    }
}
