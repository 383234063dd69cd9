package io.xregion.emulator.localazure;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone local Azure's fault-control API, on a port of its own:
 * <pre>
 *   POST /webpubsub/{instance}/down | up | unhealthy | partition
 *   POST /servicebus/{namespace}/down | up | partition | reject?condition=&lt;AMQP condition&gt;[&amp;description=...] | accept
 *   GET  /state
 * </pre>
 * Every answer is JSON; a request it cannot do gets a 4xx with {@code {"error": {"code", "message"}}}.
 */
public final class ControlApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_SECONDS = 10;
    private static final String ENDPOINTS = "GET /state, POST /webpubsub/{instance}/down|up|unhealthy|partition, "
            + "POST /servicebus/{namespace}/down|up|partition|reject?condition=...|accept";

    /** One answer: status, JSON body and, for 405, the method the path takes. */
    private record Answer(int status, Object body, String allow) {
        static Answer ok(Object body) {
            return new Answer(200, body, null);
        }

        static Answer refused(ControlRefusal refusal) {
            return new Answer(refusal.status(), error(refusal.code(), refusal.getMessage()), null);
        }
    }

    private final FaultControl control;
    private final Vertx vertx;
    private final HttpServer server;
    private final String host;

    private ControlApi(FaultControl control, Vertx vertx, HttpServer server, String host) {
        this.control = control;
        this.vertx = vertx;
        this.server = server;
        this.host = host;
    }

    /** Listens on host:port (0: a free port) and waits until it does. */
    public static ControlApi start(FaultControl control, String host, int port) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                .setReuseAddress(true));
        ControlApi api = new ControlApi(control, vertx, server, host);
        // Vert.x answers requests it cannot parse itself, with a plain-text body: this one is JSON like the rest
        server.invalidRequestHandler(request -> send(request.response(), new Answer(400,
                error("BadRequest", "The request is not valid HTTP"), null)));
        server.requestHandler(api::handle);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            vertx.close();
            throw new ListenFailure(ListenFailure.Service.CONTROL, null, host, port,
                    e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            vertx.close();
            throw new IllegalStateException("interrupted while starting the control API", e);
        }
        LOG.info("Local Azure control API listening on {}", api.url());
        return api;
    }

    public int port() {
        return server.actualPort();
    }

    public URI url() {
        return URI.create("http://" + host + ":" + port());
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(WAIT_SECONDS, TimeUnit.SECONDS)
                .exceptionally(e -> null).join();
    }

    private void handle(HttpServerRequest request) {
        HttpMethod method = request.method();
        String path = request.path();
        String query = request.query();
        // switches wait for the emulators, so they run off the event loop, one at a time in arrival order
        vertx.executeBlocking(() -> answer(method, path, query), true).onComplete(result -> send(request.response(),
                result.succeeded() ? result.result() : unexpected(result.cause())));
    }

    private Answer answer(HttpMethod method, String path, String query) {
        try {
            List<String> segments = segments(path);
            Map<String, String> parameters = parameters(query);
            if (segments.equals(List.of("state"))) {
                if (method != HttpMethod.GET) {
                    return methodNotAllowed(method, "GET");
                }
                onlyParameters(parameters, Set.of(), "GET /state");
                return Answer.ok(control.state());
            }
            if (segments.size() == 3 && segments.get(0).equals("webpubsub")) {
                if (method != HttpMethod.POST) {
                    return methodNotAllowed(method, "POST");
                }
                onlyParameters(parameters, Set.of(), segments.get(2));
                return Answer.ok(control.switchWebPubSub(segments.get(1), segments.get(2)));
            }
            if (segments.size() == 3 && segments.get(0).equals("servicebus")) {
                if (method != HttpMethod.POST) {
                    return methodNotAllowed(method, "POST");
                }
                String action = segments.get(2);
                onlyParameters(parameters, action.equals("reject") ? Set.of("condition", "description") : Set.of(),
                        action);
                return Answer.ok(control.switchServiceBus(segments.get(1), action, parameters.get("condition"),
                        parameters.get("description")));
            }
            throw ControlRefusal.notFound("No endpoint " + path + "; there are " + ENDPOINTS);
        } catch (ControlRefusal refusal) {
            return Answer.refused(refusal);
        }
    }

    private static Answer methodNotAllowed(HttpMethod method, String allowed) {
        return new Answer(405, error("MethodNotAllowed", method.name() + " is not allowed here; use " + allowed),
                allowed);
    }

    /** The path's segments, percent-decoded; a malformed escape is the caller's mistake. */
    private static List<String> segments(String path) {
        if (path == null || !path.startsWith("/")) {
            throw ControlRefusal.badRequest("The request target must be a path");
        }
        List<String> segments = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            segments.add(decode(raw.replace("+", "%2B"), "path"));
        }
        return segments;
    }

    /** The query's parameters, each at most once: two conditions would leave the switch guessing. */
    private static Map<String, String> parameters(String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals), "query");
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1), "query");
            if (parameters.put(name, value) != null) {
                throw ControlRefusal.badRequest("The parameter '" + name + "' is given more than once");
            }
        }
        return parameters;
    }

    private static String decode(String text, String part) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ControlRefusal.badRequest("The " + part + " is not valid percent-encoding");
        }
    }

    private static void onlyParameters(Map<String, String> parameters, Set<String> allowed, String what) {
        for (String name : parameters.keySet()) {
            if (!allowed.contains(name)) {
                throw ControlRefusal.badRequest(allowed.isEmpty() ? what + " takes no parameters, not '" + name + "'"
                        : what + " takes " + allowed + ", not '" + name + "'");
            }
        }
    }

    /** A bug, not the caller's doing: the stack trace goes to the log, the caller gets an incident id. */
    private static Answer unexpected(Throwable error) {
        String incident = UUID.randomUUID().toString();
        LOG.error("Control API: unexpected failure, incident {}", incident, error);
        return new Answer(500, error("InternalError", "Unexpected failure; the local Azure's output has incident "
                + incident), null);
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return Map.of("error", error);
    }

    private static void send(HttpServerResponse response, Answer answer) {
        if (response.ended() || response.closed()) {
            return;
        }
        String body;
        try {
            body = JSON.writeValueAsString(answer.body());
        } catch (JsonProcessingException e) {
            LOG.error("Control API: an answer could not be written as JSON", e);
            body = "{\"error\":{\"code\":\"InternalError\",\"message\":\"The answer could not be written\"}}";
            answer = new Answer(500, null, null);
        }
        response.setStatusCode(answer.status()).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store");
        if (answer.allow() != null) {
            response.putHeader("Allow", answer.allow());
        }
        response.end(body);
    }
}
