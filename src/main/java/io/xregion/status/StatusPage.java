package io.xregion.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.UUID;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.http.ApiErrors;

/**
 * The live status page on the management port: {@code /observe/status} (HTML), its script, style sheet and icon, and
 * {@code /observe/status.json}, which the page polls and machines read. Served by Vert.x handlers on the management
 * server's router, as Camel serves {@code /observe/health} and {@code /observe/metrics} there itself: Camel routes
 * (platform-http) go to the API server only. Everything the page needs comes from this app server (no framework, no
 * CDN), and the Content-Security-Policy forbids anything else.
 */
public final class StatusPage {

    public static final String PATH = "/observe/status";

    private static final Logger LOG = LoggerFactory.getLogger(StatusPage.class);

    /** Only this app server's own script, style and JSON; no inline code, no frames, no forms. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private StatusPage() {
    }

    public static void install(Router router, StatusReport report) {
        resource(router, PATH, "status.html", "text/html; charset=utf-8");
        resource(router, PATH + ".js", "status.js", "text/javascript; charset=utf-8");
        resource(router, PATH + ".css", "status.css", "text/css; charset=utf-8");
        resource(router, PATH + ".svg", "status.svg", "image/svg+xml");
        // the beans it reads take locks (and readiness runs the health checks): off the event loop
        router.route(PATH + ".json").method(HttpMethod.GET).blockingHandler(context -> json(context, report), false);
    }

    private static void resource(Router router, String path, String name, String contentType) {
        Buffer content = Buffer.buffer(read(name));
        router.route(path).method(HttpMethod.GET).handler(context -> headers(context, contentType, "no-cache")
                .end(content));
    }

    private static void json(RoutingContext context, StatusReport report) {
        String body;
        int status = 200;
        try {
            body = ApiErrors.json(report.read());
        } catch (RuntimeException e) {
            String incident = UUID.randomUUID().toString();
            LOG.error("The status could not be read, incident {}", incident, e);
            status = 500;
            body = ApiErrors.json(ApiErrors.errorBody("InternalError",
                    "The status could not be read; the server log has incident " + incident));
        }
        headers(context, "application/json", "no-store").setStatusCode(status).end(body);
    }

    private static io.vertx.core.http.HttpServerResponse headers(RoutingContext context, String contentType,
            String cacheControl) {
        return context.response().putHeader("Content-Type", contentType)
                .putHeader("Cache-Control", cacheControl)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    }

    private static byte[] read(String name) {
        try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the status page's " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
