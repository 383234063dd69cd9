package io.xregion.emulator;

import static io.xregion.emulator.ShippedLocalAzure.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;

import javax.net.ssl.SSLContext;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.WebPubSubContentType;
import io.netty.handler.ssl.SslContextBuilder;
import io.xregion.emulator.localazure.InvalidSettingsException;
import io.xregion.emulator.security.LocalTls;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.testing.LocalEntraId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

/**
 * The standalone local Azure with access keys disabled, as a tenant's policy would have it: entra.issuer and
 * entra.jwks-url name the Entra ID to trust, {@code <kind>.entra}, {@code .local-auth} and {@code .tls} turn it on;
 * the certificate it makes at start is trusted through the trust store it writes, and the official SDKs work with a
 * TokenCredential alone.
 */
@Tag("slow")
class LocalAzureEntraIdTest {

    @TempDir
    static Path temp;
    private static LocalEntraId entra;
    private static LocalAzure localAzure;
    private static SSLContext previousDefault;

    @BeforeAll
    static void start() throws Exception {
        entra = new LocalEntraId();
        localAzure = LocalAzure.start(settings(temp.resolve("entra"), "entra.issuer=" + entra.issuer().issuer(),
                "entra.jwks-url=" + entra.issuer().jwks(), "webpubsub.entra=true", "webpubsub.local-auth=false",
                "webpubsub.tls=true", "servicebus.entra=true", "servicebus.local-auth=false", "servicebus.tls=true"));
        previousDefault = SSLContext.getDefault();
        // the Service Bus SDK trusts the JVM's default SSLContext only
        SSLContext.setDefault(localAzure.tls().clientContext());
    }

    @AfterAll
    static void stop() {
        SSLContext.setDefault(previousDefault);
        localAzure.close();
        entra.close();
    }

    private static TokenCredential managedIdentity() {
        return request -> Mono.just(new AccessToken(entra.token(request.getScopes().get(0).replace("/.default", ""),
                LocalEntraId.SYSTEM_ASSIGNED_CLIENT_ID), OffsetDateTime.now().plusMinutes(30)));
    }

    @Test
    void webPubSubTakesEntraTokensOverHttpsAndRefusesAccessKeys() throws Exception {
        var trust = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(localAzure.tls().trustStore())) {
            store.load(in, LocalTls.TRUST_PASSWORD.toCharArray());
        }
        trust.init(store);
        var ssl = SslContextBuilder.forClient().trustManager(trust).build();
        var http = new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
                .secure(spec -> spec.sslContext(ssl))).build();
        var eastus = localAzure.emulators().webPubSub().get("eastus");
        assertTrue(eastus.endpoint().toString().startsWith("https://"), eastus.endpoint().toString());
        new WebPubSubServiceClientBuilder().endpoint(eastus.endpoint().toString()).credential(managedIdentity())
                .httpClient(http).hub("chat").buildClient().sendToAll("hi", WebPubSubContentType.TEXT_PLAIN);
        HttpResponseException refused = assertThrows(HttpResponseException.class, () ->
                new WebPubSubServiceClientBuilder().connectionString(eastus.connectionString()).httpClient(http)
                        .hub("chat").buildClient().sendToAll("hi", WebPubSubContentType.TEXT_PLAIN));
        assertEquals(401, refused.getResponse().getStatusCode());
    }

    @Test
    void serviceBusTakesEntraTokensOverTlsAndRefusesSharedAccessSignatures() {
        ServiceBusEmulator westus = localAzure.emulators().serviceBus().get("westus");
        try (ServiceBusSenderClient sender = new ServiceBusClientBuilder().credential("localhost", managedIdentity())
                .customEndpointAddress("https://127.0.0.1:" + westus.port()).sender().queueName("xregion-messages")
                .buildClient()) {
            sender.sendMessage(new ServiceBusMessage("over Entra"));
        }
        assertEquals(1, westus.entityCounts().get("xregion-messages").depth());
        try (ServiceBusSenderClient sas = new ServiceBusClientBuilder().connectionString(westus.connectionString())
                .retryOptions(new AmqpRetryOptions().setMaxRetries(0).setTryTimeout(Duration.ofSeconds(10)))
                .sender().queueName("xregion-messages").buildClient()) {
            ServiceBusException e = assertThrows(ServiceBusException.class,
                    () -> sas.sendMessage(new ServiceBusMessage("no")));
            assertEquals(ServiceBusFailureReason.UNAUTHORIZED, e.getReason());
        }
    }

    @Test
    void theTrustStoreIsWrittenAndAStopRemovesTheCertificate() {
        Path tls = temp.resolve("entra/tls");
        assertTrue(Files.exists(tls.resolve("truststore.p12")));
        LocalAzure second = LocalAzure.start(settings(temp.resolve("second"), "webpubsub.tls=true"));
        assertTrue(Files.exists(temp.resolve("second/tls/keystore.p12")));
        second.close();
        assertFalse(Files.exists(temp.resolve("second/tls")), "the key store outlived the local Azure");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "webpubsub.eastus.entra=true                | webpubsub.eastus.entra: needs entra.issuer and entra.jwks-url",
        "servicebus.local-auth=false                | servicebus.local-auth: false leaves no way in",
        "entra.issuer=https://sts.windows.net/t/    | entra.jwks-url: is needed with entra.issuer",
        "webpubsub.tls=yes                          | webpubsub.tls: 'yes' is neither true nor false",
        "entra.jwks-url=ftp://x/keys                | entra.issuer: is needed with entra.jwks-url",
    })
    void badEntraSettingsAreRefusedNamingThem(String override, String expected) {
        InvalidSettingsException refused = assertThrows(InvalidSettingsException.class,
                () -> LocalAzure.start(settings(temp.resolve("refused"), override)));
        assertTrue(refused.problems().stream().anyMatch(p -> p.startsWith(expected)), refused::getMessage);
    }
}
