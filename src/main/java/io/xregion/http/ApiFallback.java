package io.xregion.http;

import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * JSON answers for what no Camel route handles on the HTTP server: unknown paths (404), a known path with another
 * method (405 with Allow) and failures Vert.x raises itself, such as an oversized body (413). Without this, Vert.x
 * answers those with HTML or an empty body.
 */
public final class ApiFallback {

    private ApiFallback() {
    }

    public static void install(VertxPlatformHttpRouter router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(ApiFallback::failure);
        router.route().last().handler(context -> unmatched(router, context));
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

    private static void send(RoutingContext context, int status, String code, String message) {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (context.request().method() == HttpMethod.HEAD) {
            context.response().end();
        } else {
            context.response().end(ApiErrors.json(ApiErrors.errorBody(code, message)));
        }
    }
}
