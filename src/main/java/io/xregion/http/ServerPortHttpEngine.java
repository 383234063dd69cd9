package io.xregion.http;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * Attaches platform-http routes to the main HTTP server's router. Camel 4.17's engine finds that router by looking
 * for the single HTTP server in the registry; with a separate management server there are two, so it falls back to
 * port 8080 and fails whenever camel.server.port is anything else. Naming the configured port avoids the guess.
 */
public final class ServerPortHttpEngine extends VertxPlatformHttpEngine {

    private final int serverPort;

    public ServerPortHttpEngine(int serverPort) {
        this.serverPort = serverPort;
    }

    @Override
    public int getServerPort() {
        return serverPort;
    }
}
