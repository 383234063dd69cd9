package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.xregion.emulator.webpubsub.EmulatorOptions;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.security.HmacSha256;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.HttpCalls.Answer;
import io.xregion.testing.Keys;
import io.xregion.testing.LogCapture;
import io.xregion.testing.PublishedEventSignature;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The event handler behind an instance with a custom domain or geo-replicas (several origins in one
 * WebHook-Request-Origin) and through a key rotation (events signed by the instance's secondary key), on the
 * production profile, against an emulated instance that calls the app's event handler as the service does.
 */
@Tag("slow")
class EventHandlerOriginsAndKeysTest {

    private static final String CUSTOM_DOMAIN = "chat.contoso.example";
    private static final String REPLICA = "eastus-replica.webpubsub.azure.com";

    private static ExternalServices services;
    private static WebPubSubEmulator east;
    private static String eastSecondaryKey;
    private static RunningApp app;
    private static LogCapture logs;

    @BeforeAll
    static void start() {
        services = new ExternalServices();
        int port = RunningApp.freePort();
        // the secondary key is the one of Microsoft's published signature, so an event signed by code other than
        // ours can be checked too
        eastSecondaryKey = PublishedEventSignature.ACCESS_KEY;
        // the emulator validates the handler and names itself, its custom domain and a replica in every request
        east = WebPubSubEmulator.start(EmulatorOptions.of("east-with-domain", Keys.random())
                .withEventHandler("http://127.0.0.1:" + port + "/eventhandler")
                .withSecondaryAccessKey(eastSecondaryKey).withOriginAliases(List.of(CUSTOM_DOMAIN, REPLICA)));
        Map<String, String> settings = new HashMap<>(services.productionSettings());
        settings.put("camel.server.port", Integer.toString(port));
        settings.put("xregion.webpubsub.eastus.connection-string", east.connectionString());
        settings.put(EventHandlerSecurity.secondaryKeyProperty("eastus"), eastSecondaryKey);
        settings.put("xregion.webpubsub.event-handler.allowed-origins", CUSTOM_DOMAIN);
        logs = LogCapture.begin();
        app = RunningApp.start(settings);
    }

    @AfterAll
    static void stop() {
        app.close();
        east.close();
        services.close();
        logs.close();
    }

    @Test
    void aClientOfAnInstanceWithACustomDomainConnectsAndItsEventsArePublished() {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
        String url = HttpCalls.get(app.url("/negotiate?userId=dana")).json().get("url").asText();
        try (WsClient client = WsClient.connect(url, "json.webpubsub.azure.v1")) {
            // connected: the handshake allowed one of the origins and the connect event's signature was verified
            assertEquals("connected", client.nextJson(Duration.ofSeconds(10)).get("event").asText());
            client.sendJson(Map.of("type", "event", "event", "chat", "dataType", "text", "data", "over the domain"));
            // the event went through Service Bus and came back as a broadcast
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
                WsClient.Frame frame = client.poll(Duration.ofMillis(200));
                return frame != null && frame.text() != null && frame.text().contains("over the domain");
            });
        }
    }

    @Test
    void theHandshakeAnswersWithTheOriginsThatAreOursWithOrWithoutSpaces() {
        String own = east.endpoint().getRawAuthority();
        for (String requested : List.of(own + ", unknown.example", own + ",unknown.example", " unknown.example ," + own)) {
            Answer answer = options(requested);
            assertEquals(200, answer.status(), requested);
            assertEquals(own, answer.header("WebHook-Allowed-Origin"), requested);
        }
        assertEquals(own + ", " + CUSTOM_DOMAIN, options(own + ", " + CUSTOM_DOMAIN.toUpperCase()).header(
                "WebHook-Allowed-Origin"));
        assertEquals(CUSTOM_DOMAIN, options(CUSTOM_DOMAIN).header("WebHook-Allowed-Origin"));
        Answer refused = options("evil.example, " + REPLICA);
        assertEquals(403, refused.status());
        assertEquals("OriginNotAllowed", refused.json().get("error").get("code").asText(), refused.body());
        assertEquals(400, options(" , ").status());
    }

    @Test
    void eventsSignedOnlyByTheSecondaryKeyAreAcceptedWhileThePrimaryIsRegenerated() {
        // the service signs with both keys; after the primary is regenerated only the secondary one still matches
        String regeneratedPrimary = Keys.random();
        Answer accepted = event("c-rotated", signature(regeneratedPrimary, "c-rotated") + ","
                + signature(eastSecondaryKey, "c-rotated"));
        assertEquals(204, accepted.status(), accepted.body());
        // westus has no secondary key configured: a key it does not hold is refused
        Answer refused = event("c-other", signature(Keys.random(), "c-other"));
        assertEquals(401, refused.status());
        assertEquals("SignatureInvalid", refused.json().get("error").get("code").asText(), refused.body());
        assertFalse(logs.text().contains(eastSecondaryKey), "the secondary key was logged");
    }

    private static Answer options(String origins) {
        return HttpCalls.call("OPTIONS", app.url("/eventhandler"), Map.of("WebHook-Request-Origin", origins), null);
    }

    @Test
    void anEventSignedAsInMicrosoftsPublishedExampleIsAcceptedAndOneDigitOffIsRefused() {
        String signature = PublishedEventSignature.SIGNATURE;
        Answer accepted = event(PublishedEventSignature.CONNECTION_ID, "sha256=" + "0".repeat(64) + "," + signature);
        assertEquals(204, accepted.status(), accepted.body());
        String oneDigitOff = signature.substring(0, signature.length() - 1)
                + (signature.endsWith("1") ? "2" : "1");
        Answer refused = event(PublishedEventSignature.CONNECTION_ID, oneDigitOff);
        assertEquals(401, refused.status(), refused.body());
        assertEquals("SignatureInvalid", refused.json().get("error").get("code").asText(), refused.body());
    }

    /** A connected event, as the service sends it (a system event the app answers 204). */
    private static Answer event(String connectionId, String signatures) {
        return HttpCalls.call("POST", app.url("/eventhandler"), Map.of("ce-type", "azure.webpubsub.sys.connected",
                "ce-connectionId", connectionId, "ce-signature", signatures, "Content-Type", "application/json",
                "WebHook-Request-Origin", east.endpoint().getRawAuthority() + ", " + CUSTOM_DOMAIN),
                "{}".getBytes(StandardCharsets.UTF_8));
    }

    private static String signature(String key, String connectionId) {
        return "sha256=" + HmacSha256.hex(key, connectionId);
    }

    @Test
    void aSecondaryKeyTooShortStopsTheStartNamingTheProperty() {
        Map<String, String> settings = new HashMap<>(services.productionSettings());
        settings.put(EventHandlerSecurity.secondaryKeyProperty("westus"), "tiny-key-value");
        Exception error = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> RunningApp.start(settings).close());
        Throwable cause = error;
        // Camel wraps a bean method's failure in exceptions without a message of their own (a lazy bean's
        // InvocationTargetException): walk past them
        while (cause.getCause() != null
                && (cause.getMessage() == null || !cause.getMessage().contains("secondary-access-key"))) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("xregion.webpubsub.westus.secondary-access-key"), cause.getMessage());
        assertFalse(cause.getMessage().contains("tiny-key-value"), cause.getMessage());
    }
}
