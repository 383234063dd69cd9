package io.xregion.http;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * Attaches platform-http routes to the main HTTP server's router. A workaround, checked on Camel 4.17.0: the stock
 * engine finds that router by looking for the single HTTP server in the registry; with a separate management server
 * there are two, so it falls back to port 8080 and fails whenever the server listens anywhere else. Asking the main
 * server for its port avoids the guess, wherever the port was configured (properties file, system property,
 * environment). {@code HttpWorkaroundsTest} fails if the stock engine stops needing it or the override
 * stops being used.
 */
public final class ServerPortHttpEngine extends VertxPlatformHttpEngine {

    private final CamelContext camel;

    public ServerPortHttpEngine(CamelContext camel) {
        this.camel = camel;
    }

    @Override
    public int getServerPort() {
        MainHttpServer server = camel.hasService(MainHttpServer.class);
        return server != null ? server.getPort() : super.getServerPort();
    }
}
