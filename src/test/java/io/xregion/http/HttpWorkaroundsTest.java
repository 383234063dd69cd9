package io.xregion.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;

import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.xregion.testing.RunningApp;

/**
 * The two workarounds of Camel 4.17.0's HTTP server that xregion carries, checked on a running app so that an
 * upgrade that breaks one fails here, by name, rather than somewhere downstream.
 */
@Tag("slow")
class HttpWorkaroundsTest {

    private static RunningApp app;

    @BeforeAll
    static void start() {
        app = RunningApp.start(Map.of());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void apiFallbackStillReachesCamelsTopLevelRouter() {
        MainHttpServer server = app.context().hasService(MainHttpServer.class);
        assertNotNull(server, "camel-main's HTTP server");
        assertNotNull(ApiFallback.topLevelRouter(server), "Camel's MainHttpServer.server / VertxPlatformHttpServer"
                + ".router changed: ApiFallback can no longer give malformed paths a JSON 400");
    }

    @Test
    void theStockEngineStillGuessesThePortSoServerPortHttpEngineIsNeeded() {
        VertxPlatformHttpEngine stock = new VertxPlatformHttpEngine();
        stock.setCamelContext(app.context());
        assertNotEquals(app.port(), stock.getServerPort(), "the stock engine now finds the main server's port: "
                + "ServerPortHttpEngine can go");
        assertEquals(app.port(), new ServerPortHttpEngine(app.context()).getServerPort());
    }
}
