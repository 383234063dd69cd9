package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.Keys;
import io.xregion.testing.LogCapture;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The production profile: the same routes, every connection string from outside, no emulators, no dev API. */
@Tag("slow")
class ProductionProfileTest {

    private ExternalServices services;
    private WebPubSubEmulator east;

    @BeforeEach
    void start() {
        services = new ExternalServices();
        east = services.eastWebPubSub;
    }

    @AfterEach
    void stop() {
        services.close();
    }

    private Map<String, String> prod() {
        return new HashMap<>(services.productionSettings());
    }

    @Test
    void theAppServesFromExternallyConfiguredInstancesWithoutTheDevApi() {
        try (RunningApp app = RunningApp.start(prod())) {
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
            String url = HttpCalls.get(app.url("/negotiate?userId=p")).json().get("url").asText();
            assertTrue(url.startsWith("ws://127.0.0.1:" + east.port() + "/client/hubs/chat?access_token="), url);
            try (WsClient client = WsClient.connect(url, "json.webpubsub.azure.v1")) {
                assertEquals("p", client.nextJson(Duration.ofSeconds(5)).get("userId").asText());
            }
            assertEquals(404, HttpCalls.get(app.url("/dev/state")).status());
            assertEquals(null, app.bean("devEmulators", Object.class));
            HttpCalls.Answer broadcast = HttpCalls.post(app.url("/broadcast"), "text/plain", "prod");
            assertEquals(2, broadcast.json().get("accepted").asInt(), broadcast.body());
        }
    }

    @Test
    void connectionStringsCanComeFromAMountedSecret(@org.junit.jupiter.api.io.TempDir java.nio.file.Path secrets)
            throws Exception {
        Map<String, String> properties = prod();
        // a Secret volume as Kubernetes lays it out: one file per key, plus its own dot-named links
        java.nio.file.Files.createDirectories(secrets.resolve("..2026_11_28_00_00_00.000000000"));
        java.nio.file.Files.writeString(secrets.resolve("..2026_11_28_00_00_00.000000000/ignored"), "x");
        for (String key : java.util.List.copyOf(properties.keySet())) {
            if (key.endsWith(".connection-string")) {
                java.nio.file.Files.writeString(secrets.resolve(key), properties.remove(key) + "\n");
            }
        }
        properties.put("xregion.secrets.directory", secrets.toString());
        try (RunningApp app = RunningApp.start(properties)) {
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
            String url = HttpCalls.get(app.url("/negotiate?userId=m")).json().get("url").asText();
            try (WsClient client = WsClient.connect(url, "json.webpubsub.azure.v1")) {
                assertEquals("m", client.nextJson(Duration.ofSeconds(5)).get("userId").asText());
            }
            assertEquals(202, HttpCalls.post(app.url("/publish"), "text/plain", "from a mounted secret").status());
        }
    }

    @Test
    void aMissingConnectionStringStopsStartUpNamingTheVariableToSet() {
        Map<String, String> properties = prod();
        properties.remove("xregion.webpubsub.westus.connection-string");
        try (LogCapture logs = LogCapture.begin()) {
            Exception e = assertThrows(Exception.class, () -> RunningApp.start(properties).close());
            String messages = messages(e);
            assertTrue(messages.contains("XREGION_WEBPUBSUB_WESTUS_CONNECTION_STRING"), messages);
            String eastKey = east.connectionString().replaceAll(".*AccessKey=([^;]+);.*", "$1");
            assertFalse(messages.contains(eastKey));
            assertFalse(logs.text().contains(eastKey), "a key reached the log");
        }
    }

    @Test
    void aMalformedConnectionStringIsReportedWithoutItsKey() {
        Map<String, String> properties = prod();
        String key = Keys.random();
        properties.put("xregion.webpubsub.westus.connection-string", "Endpoint=ftp://x;AccessKey=" + key);
        try (LogCapture logs = LogCapture.begin()) {
            Exception e = assertThrows(Exception.class, () -> RunningApp.start(properties).close());
            String messages = messages(e);
            assertTrue(messages.contains("westus") && messages.contains("http:// or https://"), messages);
            assertFalse(messages.contains(key));
            assertFalse(logs.text().contains(key), "a key reached the log");
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
