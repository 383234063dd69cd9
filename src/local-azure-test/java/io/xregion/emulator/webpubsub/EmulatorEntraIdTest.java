package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import javax.net.ssl.TrustManagerFactory;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.azure.messaging.webpubsub.models.WebPubSubContentType;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.ssl.SslContextBuilder;
import io.xregion.emulator.security.EntraTokens;
import io.xregion.emulator.security.LocalTls;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.Keys;
import io.xregion.testing.LocalEntraId;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * A Web PubSub instance with local auth disabled, as many tenants' policy has it: the official Java SDK
 * (azure-messaging-webpubsub) works against the emulator over https with a Microsoft Entra ID TokenCredential alone,
 * REST calls and client URLs ({@code :generateToken}) alike, and the emulator refuses every other token as the
 * service does (401).
 */
@Tag("slow")
class EmulatorEntraIdTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String JSON_PROTOCOL = "json.webpubsub.azure.v1";

    @TempDir
    static Path certificates;
    private static LocalEntraId entra;
    private static LocalTls tls;
    private static WebPubSubEmulator emulator;
    private static HttpClient trustingHttp;
    private static final List<String> scopes = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        entra = new LocalEntraId();
        tls = LocalTls.create(certificates, List.of());
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("eastus", Keys.random()).withEntra(entra.issuer())
                .withLocalAuth(false).withTls(tls));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(tls.trustStore())) {
            trust.load(in, LocalTls.TRUST_PASSWORD.toCharArray());
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        var sslContext = SslContextBuilder.forClient().trustManager(trustManagers).build();
        trustingHttp = new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
                .secure(spec -> spec.sslContext(sslContext))).build();
    }

    @AfterAll
    static void stop() {
        emulator.close();
        entra.close();
    }

    /** A credential that hands the SDK what the function makes of the requested scope, and records the scope. */
    private static TokenCredential credential(Function<String, String> tokenForScope) {
        return request -> {
            String scope = String.join(" ", request.getScopes());
            scopes.add(scope);
            return Mono.just(new AccessToken(tokenForScope.apply(scope), OffsetDateTime.now().plusMinutes(30)));
        };
    }

    private static WebPubSubServiceClient sdk(TokenCredential credential) {
        return new WebPubSubServiceClientBuilder().endpoint(emulator.endpoint().toString()).credential(credential)
                .httpClient(trustingHttp).hub("chat").buildClient();
    }

    private static String managedIdentityToken(String scope) {
        return entra.token(scope.replace("/.default", ""), LocalEntraId.SYSTEM_ASSIGNED_CLIENT_ID);
    }

    @Test
    void anEntraTokenSendsAndGetsClientUrlsWithoutAnyKey() {
        WebPubSubServiceClient sdk = sdk(credential(EmulatorEntraIdTest::managedIdentityToken));
        String url = sdk.getClientAccessToken(new GetClientAccessTokenOptions().setUserId("alice").addGroup("room1"))
                .getUrl();
        assertTrue(url.startsWith("wss://127.0.0.1:" + emulator.port() + "/client/hubs/chat?access_token="), url);
        assertTrue(scopes.contains("https://webpubsub.azure.com/.default"), scopes.toString());
        try (WsClient alice = WsClient.connect(tls.clientContext(), url, JSON_PROTOCOL)) {
            JsonNode connected = alice.nextJson(WAIT);
            assertEquals("connected", connected.get("event").asText());
            assertEquals("alice", connected.get("userId").asText());

            sdk.sendToAll("hello over Entra", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("hello over Entra", alice.nextJson(WAIT).get("data").asText());
            sdk.sendToGroup("room1", "to the room", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("to the room", alice.nextJson(WAIT).get("data").asText());
        }
    }

    @Test
    void tokensTheServiceWouldRefuseGet401() {
        Map<String, Function<String, String>> refused = Map.of(
                "unknown key", scope -> entra.tokenOfAnUnknownKey(EntraTokens.WEBPUBSUB_AUDIENCE),
                "expired", scope -> entra.expiredToken(EntraTokens.WEBPUBSUB_AUDIENCE),
                "Service Bus's audience", scope -> entra.token(EntraTokens.SERVICEBUS_AUDIENCE, "x"),
                "not a JWT", scope -> "not-a-token");
        refused.forEach((why, token) -> {
            HttpResponseException e = assertThrows(HttpResponseException.class,
                    () -> sdk(credential(token)).sendToAll("no", WebPubSubContentType.TEXT_PLAIN), why);
            assertEquals(401, e.getResponse().getStatusCode(), why);
        });
    }

    @Test
    void accessKeyTokensAreRefusedWhileLocalAuthIsDisabled() {
        WebPubSubServiceClient keyed = new WebPubSubServiceClientBuilder()
                .connectionString(emulator.connectionString()).httpClient(trustingHttp).hub("chat").buildClient();
        HttpResponseException e = assertThrows(HttpResponseException.class,
                () -> keyed.sendToAll("no", WebPubSubContentType.TEXT_PLAIN));
        assertEquals(401, e.getResponse().getStatusCode());
        assertTrue(e.getMessage().contains("Local authentication is disabled"), e.getMessage());
    }

    @Test
    void aTokenSignedWithTheIssuersNewKeyIsAcceptedOnceTheIssuerRollsItsKeys() throws Exception {
        WebPubSubServiceClient before = sdk(credential(EmulatorEntraIdTest::managedIdentityToken));
        String url = before.getClientAccessToken(new GetClientAccessTokenOptions().setUserId("roller")).getUrl();
        try (WsClient roller = WsClient.connect(tls.clientContext(), url, JSON_PROTOCOL)) {
            assertEquals("connected", roller.nextJson(WAIT).get("event").asText());
            String oldKey = keyId(managedIdentityToken(EntraTokens.WEBPUBSUB_AUDIENCE));
            before.sendToAll("before", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("before", roller.nextJson(WAIT).get("data").asText());

            entra.rollKey();
            // the premise: tokens are now signed with a key the emulator has not fetched yet
            String newKey = keyId(managedIdentityToken(EntraTokens.WEBPUBSUB_AUDIENCE));
            assertNotEquals(oldKey, newKey, "the issuer signs with a new key");
            // a token with the new kid: the emulator fetches the issuer's keys again and accepts it
            sdk(credential(EmulatorEntraIdTest::managedIdentityToken)).sendToAll("after",
                    WebPubSubContentType.TEXT_PLAIN);
            assertEquals("after", roller.nextJson(WAIT).get("data").asText());
        }
    }

    private static String keyId(String token) throws java.text.ParseException {
        return com.nimbusds.jwt.SignedJWT.parse(token).getHeader().getKeyID();
    }

    @Test
    void healthNeedsNoTokenAndHttpsIsTrustedThroughTheTrustStore() throws Exception {
        java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder().sslContext(tls.clientContext()).build();
        var answer = https.send(java.net.http.HttpRequest.newBuilder(emulator.endpoint().resolve("/api/health"))
                .GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertEquals(200, answer.statusCode());
        var unauthorised = https.send(java.net.http.HttpRequest.newBuilder(
                emulator.endpoint().resolve("/api/hubs/chat/:send?api-version=2024-12-01"))
                .header("Content-Type", "text/plain").POST(java.net.http.HttpRequest.BodyPublishers.ofString("x"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unauthorised.statusCode());
        assertTrue(unauthorised.body().contains("\"code\":\"Unauthorized\""), unauthorised.body());
        // plain http to the TLS port is no way around it
        assertThrows(Exception.class, () -> HttpCalls.call("GET",
                "http://127.0.0.1:" + emulator.port() + "/api/health", Map.of(), null));
    }
}
