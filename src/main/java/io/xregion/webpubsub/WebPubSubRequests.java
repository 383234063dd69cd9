package io.xregion.webpubsub;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.xregion.http.ApiException;

/** Builds the REST calls xregion fans out, checking user input against the service's naming rules first. */
public final class WebPubSubRequests {

    private static final int MAX_NAME = 1024;

    private final String hubPath;
    private final String failbackReason;

    /**
     * @param failbackReason what clients closed by failback are told (the disconnected message and close reason)
     */
    public WebPubSubRequests(String hub, String failbackReason) {
        this.hubPath = "/api/hubs/" + PathSegment.encode(hub);
        this.failbackReason = failbackReason;
    }

    public WebPubSubRequest broadcastToAll() {
        return send(hubPath + "/:send");
    }

    public WebPubSubRequest broadcastToGroup(Object group) {
        return send(hubPath + "/groups/" + PathSegment.encode(name("group", group)) + "/:send");
    }

    public WebPubSubRequest broadcastToUser(Object userId) {
        return send(hubPath + "/users/" + PathSegment.encode(name("userId", userId)) + "/:send");
    }

    /** Closes, on the healthy secondaries, the connections in a group, telling them why. */
    public WebPubSubRequest closeGroupOnSecondaries(String group) {
        String reason = failbackReason;
        return new WebPubSubRequest("failback-close",
                hubPath + "/groups/" + PathSegment.encode(group) + "/:closeConnections",
                "api-version=" + WebPubSubHealth.API_VERSION + "&reason=" + URLEncoder.encode(reason,
                        StandardCharsets.UTF_8).replace("+", "%20"),
                WebPubSubRequest.Audience.SECONDARIES);
    }

    private WebPubSubRequest send(String path) {
        return new WebPubSubRequest("broadcast", path, "api-version=" + WebPubSubHealth.API_VERSION,
                WebPubSubRequest.Audience.ALL);
    }

    /** A group or user name: 1 to 1024 characters, not blank, no control characters, given once. */
    private static String name(String what, Object value) {
        if (!(value instanceof String name)) {
            throw ApiException.badRequest(what + " must be given once");
        }
        if (name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest(what + " must be 1 to " + MAX_NAME
                    + " characters, not blank and without control characters");
        }
        return name;
    }

    /** Percent-encoding of one path segment: everything but RFC 3986's unreserved characters. */
    static final class PathSegment {
        private PathSegment() {
        }

        static String encode(String segment) {
            StringBuilder encoded = new StringBuilder();
            for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xFF);
                if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                    encoded.append(c);
                } else {
                    encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
                }
            }
            return encoded.toString();
        }
    }
}
