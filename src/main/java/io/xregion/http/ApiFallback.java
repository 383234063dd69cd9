package io.xregion.http;

import java.lang.reflect.Field;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON answers for what no Camel route handles on the HTTP server: unknown paths (404), a known path with another
 * method (405 with Allow) and failures Vert.x raises itself, such as an oversized body (413) or a URL it cannot
 * decode (400). Without this, Vert.x answers those with HTML, plain text or an empty body.
 */
public final class ApiFallback {

    private static final Logger LOG = LoggerFactory.getLogger(ApiFallback.class);

    private ApiFallback() {
    }

    /**
     * @param router the router Camel's routes are on
     * @param server the main HTTP server, whose top-level router sees a request before Camel's router does
     */
    public static void install(VertxPlatformHttpRouter router, MainHttpServer server) {
        router.route().order(Integer.MIN_VALUE).failureHandler(ApiFallback::failure);
        router.route().last().handler(context -> unmatched(router, context));
        // Vert.x answers a request it cannot even route (a path that is not valid percent-encoding) with plain text
        // and logs a stack trace, unless the router that failed has an error handler for that status.
        for (Router failing : new Router[] {router, topLevelRouter(server)}) {
            if (failing != null) {
                failing.errorHandler(400, context -> sendIfOpen(context, 400, "BadRequest",
                        "The request's path or query is not valid percent-encoding"));
                failing.errorHandler(500, context -> sendIfOpen(context, 500, "InternalError", "Unexpected failure"));
            }
        }
    }

    /**
     * A workaround: Camel mounts its router below a top-level one that it does not expose (checked on Camel 4.17.0:
     * {@code MainHttpServer.server}, a {@code VertxPlatformHttpServer} whose {@code router} field is that router),
     * and that is where a path that cannot be decoded fails; the fields are read once at start-up. Null (and
     * plain-text 400s) if that ever changes, which {@code HttpWorkaroundsTest} reports (docs/camel-workarounds.md).
     */
    static Router topLevelRouter(MainHttpServer main) {
        try {
            Field serverField = MainHttpServer.class.getDeclaredField("server");
            serverField.setAccessible(true);
            Object server = serverField.get(main);
            Field routerField = VertxPlatformHttpServer.class.getDeclaredField("router");
            routerField.setAccessible(true);
            return (Router) routerField.get(server);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Requests with malformed paths will get plain-text answers: {}", e.toString());
            return null;
        }
    }

    private static void unmatched(Router router, RoutingContext context) {
        String path = context.normalizedPath();
        Set<String> allowed = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null && matches(route.getPath(), path)) {
                if (route.methods() == null) {
                    continue;
                }
                route.methods().forEach(m -> allowed.add(m.name()));
            }
        }
        if (!allowed.isEmpty()) {
            context.response().putHeader("Allow", String.join(", ", allowed));
            send(context, 405, "MethodNotAllowed", context.request().method() + " is not allowed on " + path
                    + "; use " + String.join(", ", allowed));
        } else {
            send(context, 404, "NotFound", "No such endpoint: " + path);
        }
    }

    private static void failure(RoutingContext context) {
        if (context.response().headWritten()) {
            context.response().close();
            return;
        }
        int status = context.statusCode() < 400 ? 500 : context.statusCode();
        String code = switch (status) {
            case 413 -> "PayloadTooLarge";
            case 400 -> "BadRequest";
            default -> status < 500 ? "BadRequest" : "InternalError";
        };
        String message = status == 413 ? "The request body is too large" : status < 500 ? "The request is malformed"
                : "Unexpected failure";
        send(context, status, code, message);
    }

    /** Whether a request path fits a Vert.x route path, where ":name" segments match any one segment. */
    static boolean matches(String routePath, String path) {
        String[] expected = trim(routePath).split("/", -1);
        String[] actual = trim(path).split("/", -1);
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            boolean parameter = expected[i].startsWith(":") && !actual[i].isEmpty();
            if (!parameter && !expected[i].equals(actual[i])) {
                return false;
            }
        }
        return true;
    }

    private static String trim(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static void sendIfOpen(RoutingContext context, int status, String code, String message) {
        if (context.response().headWritten()) {
            context.response().close();
        } else {
            send(context, status, code, message);
        }
    }

    private static void send(RoutingContext context, int status, String code, String message) {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (context.request().method() == HttpMethod.HEAD) {
            context.response().end();
        } else {
            context.response().end(ApiErrors.json(ApiErrors.errorBody(code, message)));
        }
    }
}
