package io.xregion.dev;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import io.xregion.http.ApiException;

/** What keeps the dev profile from reaching production: local callers only, no keys shown, no real settings. */
class DevProfileGuardsTest {

    private static Exchange from(SocketAddress remote) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        if (remote != null) {
            exchange.getMessage().setHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS, remote);
        }
        return exchange;
    }

    @Test
    void theControlApiAnswersLoopbackCallersOnly() {
        DevControl control = new DevControl(null, null);
        assertDoesNotThrow(() -> control.requireLocalCaller(from(SocketAddress.inetSocketAddress(40000, "127.0.0.1"))));
        assertDoesNotThrow(() -> control.requireLocalCaller(from(SocketAddress.inetSocketAddress(40000, "::1"))));
        for (SocketAddress remote : new SocketAddress[] {SocketAddress.inetSocketAddress(40000, "10.0.0.7"),
                SocketAddress.inetSocketAddress(40000, "192.168.1.20"), null}) {
            ApiException refused = assertThrows(ApiException.class, () -> control.requireLocalCaller(from(remote)));
            assertEquals(403, refused.status());
        }
    }

    @Test
    void connectionStringsAreShownWithoutTheirKeys() {
        String serviceBus = DevControl.hideKey("Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=Root;"
                + "SharedAccessKey=c2VjcmV0LWtleQ==;UseDevelopmentEmulator=true");
        assertEquals("Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=Root;SharedAccessKey=***;"
                + "UseDevelopmentEmulator=true", serviceBus);
        assertEquals("Endpoint=http://127.0.0.1;Port=1;AccessKey=***;Version=1.0;",
                DevControl.hideKey("Endpoint=http://127.0.0.1;Port=1;AccessKey=abc/def+g=;Version=1.0;"));
    }

    @Test
    void realConnectionStringsInTheEnvironmentStopTheDevProfile() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> DevProfileSetup.refuseProductionSettings(Map.of(
                        "XREGION_WEBPUBSUB_EASTUS_CONNECTION_STRING", "Endpoint=https://x;AccessKey=secret-value;",
                        "PATH", "/usr/bin")));
        assertTrue(refused.getMessage().contains("CAMEL_MAIN_PROFILE=prod"), refused.getMessage());
        assertFalse(refused.getMessage().contains("secret-value"), "the message must name variables, not values");
        assertThrows(IllegalStateException.class, () -> DevProfileSetup.refuseProductionSettings(
                Map.of("XREGION_SERVICEBUS_WESTUS_CONNECTION_STRING", "x")));
        assertDoesNotThrow(() -> DevProfileSetup.refuseProductionSettings(Map.of("CAMEL_MAIN_PROFILE", "dev",
                "XREGION_WEBPUBSUB_PRIMARY", "westus")));
    }
}
