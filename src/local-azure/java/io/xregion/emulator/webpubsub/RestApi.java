package io.xregion.emulator.webpubsub;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

import io.xregion.emulator.security.AccessKeyTokens;
import io.xregion.emulator.security.EntraTokens;

/**
 * The data-plane REST API (api-version 2024-12-01 and the versions before it): sends, closes, exists checks, group
 * membership and listing, connection permissions and {@code :generateToken}, each authorised by an access-key JWT
 * or, when an Entra issuer is configured, by a Microsoft Entra ID token for {@code https://webpubsub.azure.com}.
 * A send's, or {@code :addToGroups}' and {@code :removeFromGroups}', OData {@code filter} chooses among the target's
 * connections ({@link ConnectionFilter}); one that does not parse is refused with 400, as the service refuses it.
 */
final class RestApi {

    /** The largest page of group members the service allows; the page size when the caller names none. */
    private static final int MAX_PAGE_SIZE = 200;
    private static final Set<String> API_VERSIONS = Set.of("2021-10-01", "2022-11-01", "2023-07-01", "2024-01-01",
            "2024-12-01");

    private final WebPubSubEmulator emulator;
    private final EmulatorOptions options;
    private final Clock clock;
    private final AccessKeyTokens tokens;
    /** Entra tokens of the configured issuer, or null when the instance takes access-key tokens only. */
    private final EntraTokens entra;
    /** How much of a refused body is read and dropped before the connection is closed regardless. */
    private static final long DROPPED_BODY_LIMIT = 64L * 1024 * 1024;

    RestApi(WebPubSubEmulator emulator, EmulatorOptions options, Clock clock) {
        this.emulator = emulator;
        this.options = options;
        this.clock = clock;
        this.tokens = new AccessKeyTokens(options.accessKey());
        this.entra = options.entra() == null ? null
                : new EntraTokens(options.entra(), EntraTokens.WEBPUBSUB_AUDIENCE);
    }

    void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/api/health") || path.equals("/api/health/")) {
            health(request);
            return;
        }
        if (!path.startsWith("/api/hubs/")) {
            error(request, 404, "NotFound", "No such operation");
            return;
        }
        try {
            request.params();
        } catch (IllegalArgumentException e) {
            // decoded once here, so the operations' own getParam calls cannot throw later
            error(request, 400, "InvalidRequest", "The query string is not valid percent-encoding");
            return;
        }
        String authorization = request.getHeader("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            error(request, 401, "Unauthorized", "A bearer token is required");
            return;
        }
        String token = authorization.substring(7).trim();
        if (entra != null && EntraTokens.isEntraToken(token)) {
            // the issuer's JWKS may have to be fetched: off the event loop, with the body held back meanwhile
            request.pause();
            emulator.vertx().executeBlocking(() -> entra.verify(token), false).onComplete(verified -> {
                if (verified.failed()) {
                    String why = verified.cause() instanceof AccessKeyTokens.InvalidTokenException
                            ? verified.cause().getMessage() : "it cannot be checked";
                    error(request, 401, "Unauthorized", "The token is not valid: " + why);
                } else {
                    authorised(request, path);
                }
                request.resume();
            });
            return;
        }
        String authFailure = authenticate(request, token);
        if (authFailure != null) {
            error(request, 401, "Unauthorized", authFailure);
            return;
        }
        authorised(request, path);
    }

    /** The request's caller is known: the operation runs. */
    private void authorised(HttpServerRequest request, String path) {
        String apiVersion = request.getParam("api-version");
        if (apiVersion == null || !API_VERSIONS.contains(apiVersion)) {
            error(request, 400, "InvalidApiVersion", "api-version must be one of " + API_VERSIONS);
            return;
        }
        String[] raw = path.substring("/api/hubs/".length()).split("/", -1);
        String[] segments = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            segments[i] = Names.decodeSegment(raw[i]);
            if (segments[i] == null) {
                error(request, 400, "InvalidRequest", "The path is not valid percent-encoding");
                return;
            }
        }
        if (!Names.validHub(segments[0])) {
            error(request, 400, "InvalidHub", "The hub name is not valid");
            return;
        }
        Operation operation = Operation.match(Arrays.copyOfRange(segments, 1, segments.length));
        if (operation == null) {
            error(request, 404, "NotFound", "No such operation");
            return;
        }
        if (!operation.methods.contains(request.method())) {
            request.response().putHeader("Allow", operation.allow());
            error(request, 405, "MethodNotAllowed", "Use " + operation.allow());
            return;
        }
        Hub hub = emulator.hub(segments[0]);
        readBody(request).onComplete(body -> {
            if (body.failed()) {
                if (request.version() != HttpVersion.HTTP_2) {
                    // the rest of the body is dropped, so this HTTP/1 connection cannot carry another request
                    request.response().putHeader("Connection", "close");
                    closeOnceAnsweredAndRead(request);
                }
                error(request, 413, "PayloadTooLarge", "The payload is larger than " + options.maxMessageBytes()
                        + " bytes");
                return;
            }
            try {
                operation.run(this, request, hub, segments[0], operation.args(segments), body.result());
            } catch (BadRequest e) {
                error(request, 400, "InvalidRequest", e.getMessage());
            }
        });
    }

    private void health(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().putHeader("Allow", "GET, HEAD");
            error(request, 405, "MethodNotAllowed", "Use GET or HEAD");
            return;
        }
        request.response().setStatusCode(emulator.healthCheckStatus()).end();
    }

    /** Null when the access-key token is valid for this request, else why not. */
    private String authenticate(HttpServerRequest request, String token) {
        if (!options.localAuth()) {
            // what the service answers an access-key token once local auth is disabled
            return "Local authentication is disabled for this instance; use a Microsoft Entra ID token";
        }
        Map<String, Object> claims;
        try {
            claims = tokens.verify(token, clock, options.clockSkew());
        } catch (AccessKeyTokens.InvalidTokenException e) {
            return "The token is not valid: " + e.getMessage();
        }
        if (!(claims.get("aud") instanceof String aud) || !audienceMatches(aud, request.absoluteURI())) {
            return "The token's audience is not this request's URL";
        }
        return null;
    }

    /** The service accepts the request URL with or without its query, compared case-insensitively. */
    static boolean audienceMatches(String audience, String requestUrl) {
        int q = requestUrl.indexOf('?');
        String withoutQuery = q < 0 ? requestUrl : requestUrl.substring(0, q);
        for (String candidate : List.of(requestUrl, withoutQuery)) {
            if (audience.equalsIgnoreCase(candidate) || decode(audience).equalsIgnoreCase(decode(candidate))) {
                return true;
            }
        }
        return false;
    }

    private static String decode(String url) {
        try {
            return URLDecoder.decode(url.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    /**
     * Closes the connection once the answer is out and the client has sent the rest of its body (dropped, up to a
     * bound): closed while the client is still sending, the connection is reset and the client may never see the
     * answer.
     */
    private static void closeOnceAnsweredAndRead(HttpServerRequest request) {
        Promise<Void> answered = Promise.promise();
        request.response().endHandler(v -> answered.tryComplete());
        Promise<Void> read = Promise.promise();
        if (request.isEnded()) {
            read.tryComplete();
        } else {
            long[] dropped = {0};
            request.handler(chunk -> {
                dropped[0] += chunk.length();
                if (dropped[0] > DROPPED_BODY_LIMIT) {
                    read.tryComplete();
                }
            });
            request.endHandler(v -> read.tryComplete());
            request.exceptionHandler(e -> read.tryComplete());
            request.resume();
        }
        Future.all(answered.future(), read.future()).onComplete(v -> request.connection().close());
    }

    private Future<Buffer> readBody(HttpServerRequest request) {
        Promise<Buffer> promise = Promise.promise();
        String length = request.getHeader("Content-Length");
        try {
            if (length != null && Long.parseLong(length.trim()) > options.maxMessageBytes()) {
                request.pause();
                return Future.failedFuture("too large");
            }
        } catch (NumberFormatException e) {
            return Future.failedFuture("bad length");
        }
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > options.maxMessageBytes()) {
                promise.tryFail("too large");
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(v -> promise.tryComplete(body));
        request.exceptionHandler(promise::tryFail);
        return promise.future();
    }

    // ---- operations

    private void send(HttpServerRequest request, Hub hub, Target target, String id, Buffer body) {
        Payload.DataType type = Payload.DataType.ofContentType(request.getHeader("Content-Type"));
        if (type == null) {
            throw new BadRequest("Content-Type must be text/plain, application/json or application/octet-stream");
        }
        if (type == Payload.DataType.JSON) {
            try {
                Frames.JSON.readTree(body.getBytes());
            } catch (IOException e) {
                throw new BadRequest("The body is not JSON although Content-Type is application/json");
            }
        }
        ConnectionFilter filter = filter(request.getParam("filter"));
        String ttl = request.getParam("messageTtlSeconds");
        if (ttl != null && !ttl.matches("\\d{1,3}") || ttl != null && Integer.parseInt(ttl) > 300) {
            throw new BadRequest("messageTtlSeconds must be between 0 and 300");
        }
        Set<String> excluded = new HashSet<>(request.params().getAll("excluded"));
        Payload payload = new Payload(type, body.getBytes());
        String group = target == Target.GROUP ? id : null;
        for (ClientConnection connection : target.connections(hub, id)) {
            if (!excluded.contains(connection.id) && (filter == null || filter.matches(connection))) {
                emulator.deliver(connection, payload, group, null);
            }
        }
        request.response().setStatusCode(202).end();
    }

    /** The request's filter, parsed; null when it has none. */
    private static ConnectionFilter filter(String text) {
        try {
            return ConnectionFilter.parse(text);
        } catch (ConnectionFilter.InvalidFilterException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private void close(HttpServerRequest request, Hub hub, Target target, String id) {
        if (target == Target.GROUP) {
            emulator.countGroupClose(id);
        }
        String reason = request.getParam("reason");
        Set<String> excluded = new HashSet<>(request.params().getAll("excluded"));
        for (ClientConnection connection : target.connections(hub, id)) {
            if (!excluded.contains(connection.id)) {
                emulator.closeConnection(connection, reason == null ? "" : reason);
            }
        }
        request.response().setStatusCode(204).end();
    }

    private void generateToken(HttpServerRequest request, String hubName) {
        emulator.tokenGenerated();
        String userId = request.getParam("userId");
        String minutes = request.getParam("minutesToExpire");
        long minutesToExpire = 60;
        if (minutes != null) {
            try {
                minutesToExpire = Long.parseLong(minutes);
            } catch (NumberFormatException e) {
                throw new BadRequest("minutesToExpire must be a whole number");
            }
            if (minutesToExpire < 1) {
                throw new BadRequest("minutesToExpire must be at least 1");
            }
        }
        String clientType = request.getParam("clientType");
        if (clientType != null && !clientType.equalsIgnoreCase("Default")) {
            throw new BadRequest("Only clientType Default is supported by this emulator");
        }
        List<String> groups = request.params().getAll("group");
        if (!groups.stream().allMatch(Names::validGroup)) {
            throw new BadRequest("A group name is not valid");
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", request.scheme() + "://" + request.authority() + "/client/hubs/" + hubName);
        claims.put("exp", clock.instant().getEpochSecond() + minutesToExpire * 60);
        if (userId != null && !userId.isEmpty()) {
            claims.put("sub", userId);
        }
        List<String> roles = request.params().getAll("role");
        if (!roles.isEmpty()) {
            claims.put("role", roles);
        }
        if (!groups.isEmpty()) {
            claims.put("webpubsub.group", groups);
        }
        String token = tokens.sign(claims);
        json(request.response().setStatusCode(200), Frames.JSON.createObjectNode().put("token", token));
    }

    /**
     * {@code :addToGroups} and {@code :removeFromGroups}: the connections of the hub that the body's filter chooses
     * (every one when it names none) join or leave the groups.
     */
    private void allConnectionsGroups(HttpServerRequest request, Hub hub, Buffer body, boolean join) {
        JsonNode parsed;
        try {
            parsed = Frames.JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw new BadRequest("The body must be JSON: {\"groups\": [...], \"filter\": \"...\"}");
        }
        JsonNode groups = parsed == null ? null : parsed.get("groups");
        if (groups == null || !groups.isArray()) {
            throw new BadRequest("The body must name its groups: {\"groups\": [...]}");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode group : groups) {
            if (!group.isTextual() || !Names.validGroup(group.asText())) {
                throw new BadRequest("A group name is not valid");
            }
            names.add(group.asText());
        }
        JsonNode filterText = parsed.get("filter");
        if (filterText != null && !filterText.isNull() && !filterText.isTextual()) {
            throw new BadRequest("The filter must be a string");
        }
        ConnectionFilter filter = filter(filterText == null || filterText.isNull() ? null : filterText.asText());
        for (ClientConnection connection : List.copyOf(hub.connections())) {
            if (filter != null && !filter.matches(connection)) {
                continue;
            }
            for (String group : names) {
                if (join) {
                    hub.join(connection, group);
                } else {
                    hub.leave(connection, group);
                }
            }
        }
        request.response().setStatusCode(200).end();
    }

    /**
     * A group's members, in pages ordered by connection id: the continuation token is the last id of the page
     * before, so a page stays right while members come and go.
     */
    private void listGroupMembers(HttpServerRequest request, Hub hub, String group) {
        int pageSize = intParam(request, "maxpagesize", 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE);
        int top = intParam(request, "top", 1, Integer.MAX_VALUE, Integer.MAX_VALUE);
        String after = request.getParam("continuationToken");
        List<ClientConnection> members = hub.groupMembers(group).stream()
                .filter(c -> after == null || c.id.compareTo(after) > 0)
                .sorted(Comparator.comparing(c -> c.id)).toList();
        List<ClientConnection> page = members.subList(0, Math.min(members.size(), Math.min(pageSize, top)));
        ObjectNode answer = Frames.JSON.createObjectNode();
        ArrayNode value = answer.putArray("value");
        for (ClientConnection member : page) {
            ObjectNode item = value.addObject().put("connectionId", member.id);
            if (member.userId != null) {
                item.put("userId", member.userId);
            }
        }
        if (members.size() > page.size() && top > page.size()) {
            // the SDKs follow nextLink as it is, so it carries the api-version and what is left of top
            StringBuilder next = new StringBuilder(request.scheme() + "://" + request.authority() + request.path())
                    .append("?api-version=").append(request.getParam("api-version"))
                    .append("&maxpagesize=").append(pageSize);
            if (top != Integer.MAX_VALUE) {
                next.append("&top=").append(top - page.size());
            }
            next.append("&continuationToken=").append(URLEncoder.encode(page.get(page.size() - 1).id,
                    StandardCharsets.UTF_8));
            answer.put("nextLink", next.toString());
        }
        json(request.response().setStatusCode(200), answer);
    }

    /**
     * Grant (PUT), revoke (DELETE) or check (HEAD) a connection's permission for one group. A grant or revoke wins
     * over the token's roles for that group, wildcard roles included; group membership is left as it is.
     */
    private void permission(HttpServerRequest request, Hub hub, String permission, String connectionId) {
        String role = switch (permission) {
            case "sendToGroup" -> Roles.SEND;
            case "joinLeaveGroup" -> Roles.JOIN_LEAVE;
            default -> throw new BadRequest("The permission must be sendToGroup or joinLeaveGroup");
        };
        String group = request.getParam("targetName");
        if (!Names.validGroup(group)) {
            // both permissions are per group, so the service needs the group's name
            throw new BadRequest("targetName must name the group");
        }
        ClientConnection connection = hub.connection(connectionId);
        if (request.method() == HttpMethod.HEAD) {
            exists(request, connection != null && connection.allows(role, group));
        } else if (request.method() == HttpMethod.PUT) {
            if (connection == null) {
                error(request, 404, "NotFound", "The connection does not exist");
                return;
            }
            connection.permissionOverrides.put(role + "." + group, true);
            request.response().setStatusCode(200).end();
        } else {
            if (connection != null) {
                connection.permissionOverrides.put(role + "." + group, false);
            }
            request.response().setStatusCode(204).end();
        }
    }

    private static int intParam(HttpServerRequest request, String name, int min, int max, int absent) {
        String value = request.getParam(name);
        if (value == null) {
            return absent;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest(name + " must be a whole number from " + min + " to " + max);
    }

    private void exists(HttpServerRequest request, boolean exists) {
        request.response().setStatusCode(exists ? 200 : 404).end();
    }

    // ---- routing table

    private enum Target {
        ALL, USER, GROUP, CONNECTION;

        List<ClientConnection> connections(Hub hub, String id) {
            switch (this) {
                case ALL:
                    return List.copyOf(hub.connections());
                case USER:
                    return hub.userConnections(id);
                case GROUP:
                    return List.copyOf(hub.groupMembers(id));
                default:
                    ClientConnection connection = hub.connection(id);
                    return connection == null ? List.of() : List.of(connection);
            }
        }
    }

    @FunctionalInterface
    private interface Action {
        void run(RestApi api, HttpServerRequest request, Hub hub, String hubName, String[] args, Buffer body);
    }

    /**
     * The operations under /api/hubs/{hub}/, as path shapes: "*" is a user, group or connection id; the id
     * positions are handed to the action in order.
     */
    private enum Operation {
        SEND_TO_ALL(":send", (a, r, h, n, x, b) -> a.send(r, h, Target.ALL, null, b), HttpMethod.POST),
        CLOSE_ALL(":closeConnections", (a, r, h, n, x, b) -> a.close(r, h, Target.ALL, null), HttpMethod.POST),
        GENERATE_TOKEN(":generateToken", (a, r, h, n, x, b) -> a.generateToken(r, n), HttpMethod.POST),
        ADD_TO_GROUPS(":addToGroups", (a, r, h, n, x, b) -> a.allConnectionsGroups(r, h, b, true), HttpMethod.POST),
        REMOVE_FROM_GROUPS(":removeFromGroups", (a, r, h, n, x, b) -> a.allConnectionsGroups(r, h, b, false),
                HttpMethod.POST),
        SEND_TO_USER("users/*/:send", (a, r, h, n, x, b) -> a.send(r, h, Target.USER, x[0], b), HttpMethod.POST),
        CLOSE_USER("users/*/:closeConnections", (a, r, h, n, x, b) -> a.close(r, h, Target.USER, x[0]),
                HttpMethod.POST),
        USER_EXISTS("users/*", (a, r, h, n, x, b) -> a.exists(r, !h.userConnections(x[0]).isEmpty()),
                HttpMethod.HEAD),
        USER_GROUP("users/*/groups/*", (a, r, h, n, x, b) -> {
            if (r.method() == HttpMethod.PUT) {
                h.addUserToGroup(x[0], x[1]);
                r.response().setStatusCode(200).end();
            } else {
                h.removeUserFromGroup(x[0], x[1]);
                r.response().setStatusCode(204).end();
            }
        }, HttpMethod.PUT, HttpMethod.DELETE),
        USER_ALL_GROUPS("users/*/groups", (a, r, h, n, x, b) -> {
            h.removeUserFromAllGroups(x[0]);
            r.response().setStatusCode(204).end();
        }, HttpMethod.DELETE),
        SEND_TO_GROUP("groups/*/:send", (a, r, h, n, x, b) -> a.send(r, h, Target.GROUP, x[0], b), HttpMethod.POST),
        CLOSE_GROUP("groups/*/:closeConnections", (a, r, h, n, x, b) -> a.close(r, h, Target.GROUP, x[0]),
                HttpMethod.POST),
        GROUP_EXISTS("groups/*", (a, r, h, n, x, b) -> a.exists(r, h.groupExists(x[0])), HttpMethod.HEAD),
        GROUP_MEMBERS("groups/*/connections", (a, r, h, n, x, b) -> a.listGroupMembers(r, h, x[0]), HttpMethod.GET),
        GROUP_CONNECTION("groups/*/connections/*", (a, r, h, n, x, b) -> {
            ClientConnection connection = h.connection(x[1]);
            if (r.method() == HttpMethod.PUT) {
                if (connection == null) {
                    error(r, 404, "NotFound", "The connection does not exist");
                    return;
                }
                h.join(connection, x[0]);
                r.response().setStatusCode(200).end();
            } else {
                if (connection != null) {
                    h.leave(connection, x[0]);
                }
                r.response().setStatusCode(204).end();
            }
        }, HttpMethod.PUT, HttpMethod.DELETE),
        PERMISSION("permissions/*/connections/*", (a, r, h, n, x, b) -> a.permission(r, h, x[0], x[1]),
                HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.HEAD),
        SEND_TO_CONNECTION("connections/*/:send", (a, r, h, n, x, b) -> a.send(r, h, Target.CONNECTION, x[0], b),
                HttpMethod.POST),
        CONNECTION("connections/*", (a, r, h, n, x, b) -> {
            if (r.method() == HttpMethod.HEAD) {
                a.exists(r, h.connection(x[0]) != null);
            } else {
                a.close(r, h, Target.CONNECTION, x[0]);
            }
        }, HttpMethod.HEAD, HttpMethod.DELETE),
        CONNECTION_ALL_GROUPS("connections/*/groups", (a, r, h, n, x, b) -> {
            ClientConnection connection = h.connection(x[0]);
            if (connection != null) {
                for (String group : List.copyOf(connection.groups)) {
                    h.leave(connection, group);
                }
            }
            r.response().setStatusCode(204).end();
        }, HttpMethod.DELETE);

        private final String[] shape;
        private final Action action;
        private final Set<HttpMethod> methods;

        Operation(String shape, Action action, HttpMethod... methods) {
            this.shape = shape.split("/");
            this.action = action;
            this.methods = Set.of(methods);
        }

        static Operation match(String[] rest) {
            for (Operation operation : values()) {
                if (operation.matches(rest)) {
                    return operation;
                }
            }
            return null;
        }

        private boolean matches(String[] rest) {
            if (rest.length != shape.length) {
                return false;
            }
            for (int i = 0; i < shape.length; i++) {
                if (!shape[i].equals("*") && !shape[i].equals(rest[i])) {
                    return false;
                }
            }
            return true;
        }

        /** The ids at the "*" positions, checked against the naming rules; segments[0] is the hub. */
        String[] args(String[] segments) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i].equals("*")) {
                    String id = segments[i + 1];
                    boolean valid = shape[i - 1].equals("groups") ? Names.validGroup(id) : Names.validId(id);
                    if (!valid) {
                        throw new BadRequest("The " + shape[i - 1] + " path segment is not a valid name");
                    }
                    ids.add(id);
                }
            }
            return ids.toArray(String[]::new);
        }

        void run(RestApi api, HttpServerRequest request, Hub hub, String hubName, String[] args, Buffer body) {
            action.run(api, request, hub, hubName, args, body);
        }

        String allow() {
            return String.join(", ", methods.stream().map(HttpMethod::name).sorted().toList());
        }
    }

    // ---- responses

    private static void json(HttpServerResponse response, JsonNode body) {
        response.putHeader("Content-Type", "application/json; charset=utf-8").end(Frames.write(body));
    }

    static void error(HttpServerRequest request, int status, String code, String message) {
        HttpServerResponse response = request.response().setStatusCode(status).putHeader("x-ms-error-code", code);
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            json(response, Frames.JSON.createObjectNode().put("code", code).put("message", message));
        }
    }

    /** Input the service would refuse with 400; the message is returned to the caller. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

}
