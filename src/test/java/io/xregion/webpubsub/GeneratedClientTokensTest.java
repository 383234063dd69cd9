package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import io.xregion.emulator.security.EntraTokens;
import io.xregion.emulator.security.LocalTls;
import io.xregion.emulator.webpubsub.EmulatorOptions;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.http.ApiException;
import io.xregion.security.AzureCredential;
import io.xregion.testing.Keys;
import io.xregion.testing.LocalEntraId;
import io.xregion.testing.SettableClock;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Negotiate for an instance reached with Entra ID (no key): client URLs carry the service's own token from
 * {@code :generateToken}, which opens a connection with the user, roles and groups asked for; one answer is kept per
 * user, roles and groups while more than half of its lifetime is left; a refused call is a 503 for the caller.
 */
class GeneratedClientTokensTest {

    @TempDir
    static Path certificates;
    private static LocalEntraId entra;
    private static LocalTls tls;
    private static WebPubSubEmulator emulator;
    private static SSLContext previousDefault;
    private final SettableClock clock = new SettableClock(Instant.now());

    @BeforeAll
    static void start() throws Exception {
        entra = new LocalEntraId();
        tls = LocalTls.create(certificates, List.of());
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("eastus", Keys.random()).withEntra(entra.issuer())
                .withLocalAuth(false).withTls(tls));
        // the JDK's HTTP client trusts the JVM's default SSLContext, as the app's does through javax.net.ssl.*
        previousDefault = SSLContext.getDefault();
        SSLContext.setDefault(tls.clientContext());
    }

    @AfterAll
    static void stop() {
        SSLContext.setDefault(previousDefault);
        emulator.close();
        entra.close();
    }

    private WebPubSubInstances instances() {
        return new WebPubSubInstances(List.of(WebPubSubInstance.entra("eastus", emulator.endpoint(),
                InstanceRole.PRIMARY, AzureCredential.MANAGED_IDENTITY)), "chat");
    }

    /** The identity is this credential (a JVM cannot set IDENTITY_* for itself; ManagedIdentityIT does that). */
    private GeneratedClientTokens generated(TokenCredential identity, WebPubSubInstances instances) {
        return new GeneratedClientTokens(new WebPubSubEntraTokens(instances, kind -> identity, clock),
                Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(5), clock);
    }

    /** What ClientAccess asks for: the claims a locally signed token would carry. */
    private static Map<String, Object> claims(String userId, String... groups) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", userId);
        claims.put("role", List.of("webpubsub.sendToGroup.room1"));
        claims.put("webpubsub.group", List.of(groups));
        return claims;
    }

    private static String url(WebPubSubInstance instance, String token) {
        return instance.clientUrl("chat") + "?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    private static TokenCredential managedIdentity(String audience) {
        return request -> Mono.just(new AccessToken(entra.token(audience, LocalEntraId.SYSTEM_ASSIGNED_CLIENT_ID),
                OffsetDateTime.now().plusHours(1)));
    }

    @Test
    void theServicesTokenOpensAConnectionAndIsKeptPerUserForHalfItsLifetime() {
        WebPubSubInstances instances = instances();
        GeneratedClientTokens tokens = generated(managedIdentity(EntraTokens.WEBPUBSUB_AUDIENCE), instances);
        WebPubSubInstance eastus = instances.primary();
        long before = emulator.generatedTokens();

        String alice = tokens.token(eastus, "chat", claims("alice", "home-eastus-1"));
        String url = url(eastus, alice);
        assertTrue(url.startsWith("wss://127.0.0.1:" + emulator.port() + "/client/hubs/chat?access_token="), url);
        try (WsClient client = WsClient.connect(tls.clientContext(), url, "json.webpubsub.azure.v1")) {
            var connected = client.nextJson(Duration.ofSeconds(5));
            assertEquals("alice", connected.get("userId").asText());
            assertEquals(1, emulator.groupMembers("chat", "home-eastus-1").size(), "alice joined her group");
        }
        assertEquals(alice, tokens.token(eastus, "chat", claims("alice", "home-eastus-1")));
        assertEquals(before + 1, emulator.generatedTokens(), "the second negotiate was answered from the cache");
        tokens.token(eastus, "chat", claims("bob", "home-eastus-1"));
        assertEquals(before + 2, emulator.generatedTokens(), "another user gets a token of his own");
        tokens.token(eastus, "chat", claims("alice", "home-eastus-2"));
        assertEquals(before + 3, emulator.generatedTokens(), "other groups: another token");
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        tokens.token(eastus, "chat", claims("alice", "home-eastus-1"));
        assertEquals(before + 4, emulator.generatedTokens(), "half the lifetime gone: a fresh token");
    }

    @Test
    void aRefusedGenerateTokenIsA503NamingTheInstanceAndTheStatus() {
        WebPubSubInstances instances = instances();
        // a token for Service Bus: the instance answers 401
        GeneratedClientTokens tokens = generated(managedIdentity(EntraTokens.SERVICEBUS_AUDIENCE), instances);
        ApiException e = assertThrows(ApiException.class,
                () -> tokens.token(instances.primary(), "chat", claims("carol")));
        assertEquals(503, e.status());
        assertEquals("Web PubSub instance 'eastus' gave no client token: its :generateToken call answered 401",
                e.getMessage());
        assertFalse(e.getMessage().contains("ey"), e.getMessage());
    }
}
