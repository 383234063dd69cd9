package io.xregion.emulator.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import javax.net.ssl.SSLContext;

import com.azure.core.amqp.AmqpRetryMode;
import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.xregion.emulator.security.EntraTokens;
import io.xregion.emulator.security.LocalTls;
import io.xregion.testing.Keys;
import io.xregion.testing.LocalEntraId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * A Service Bus namespace with local auth disabled: the official Java SDK (azure-messaging-servicebus) sends and
 * receives with a Microsoft Entra ID TokenCredential alone, over AMQP with TLS (the SDK never speaks plain AMQP with
 * a credential), putting its token on {@code $cbs} as type {@code jwt}; the emulator refuses other tokens with
 * {@code amqp:unauthorized-access}, as the service does.
 *
 * <p>The SDK trusts the JVM's default SSLContext only (azure-core-amqp 2.11's ConnectionHandler), so this test sets
 * it to one trusting the local certificate and puts the old one back afterwards.
 */
@Tag("slow")
class ServiceBusEmulatorEntraIdTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path certificates;
    private static LocalEntraId entra;
    private static LocalTls tls;
    private static SSLContext previousDefault;
    private static final List<String> scopes = new CopyOnWriteArrayList<>();
    private ServiceBusEmulator namespace;
    private final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void issuerAndCertificate() throws Exception {
        entra = new LocalEntraId();
        tls = LocalTls.create(certificates, List.of());
        previousDefault = SSLContext.getDefault();
        SSLContext.setDefault(tls.clientContext());
    }

    @AfterAll
    static void restore() {
        SSLContext.setDefault(previousDefault);
        entra.close();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        if (namespace != null) {
            namespace.close();
        }
    }

    private void start(boolean localAuth) {
        namespace = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("eastus", Keys.random())
                .withQueues("orders").withEntra(entra.issuer()).withLocalAuth(localAuth).withTls(tls));
    }

    private static TokenCredential credential(Function<String, String> tokenForScope) {
        return request -> {
            String scope = String.join(" ", request.getScopes());
            scopes.add(scope);
            return Mono.just(new AccessToken(tokenForScope.apply(scope), OffsetDateTime.now().plusMinutes(30)));
        };
    }

    private static String managedIdentityToken(String scope) {
        return entra.token(scope.replace("/.default", ""), LocalEntraId.SYSTEM_ASSIGNED_CLIENT_ID);
    }

    /** As in production: a namespace name and a credential; the custom endpoint only picks the emulator's port. */
    private ServiceBusClientBuilder entraBuilder(TokenCredential credential) {
        return new ServiceBusClientBuilder().credential("localhost", credential)
                .customEndpointAddress("https://127.0.0.1:" + namespace.port())
                .retryOptions(new AmqpRetryOptions().setMode(AmqpRetryMode.FIXED).setMaxRetries(0)
                        .setTryTimeout(Duration.ofSeconds(10)).setDelay(Duration.ofSeconds(1))
                        .setMaxDelay(Duration.ofSeconds(10)));
    }

    private <T extends AutoCloseable> T keep(T client) {
        clients.add(client);
        return client;
    }

    @Test
    void anEntraTokenSendsAndReceivesOverTls() {
        start(false);
        ServiceBusSenderClient sender = keep(entraBuilder(
                credential(ServiceBusEmulatorEntraIdTest::managedIdentityToken)).sender().queueName("orders")
                .buildClient());
        ServiceBusMessage message = new ServiceBusMessage(BinaryData.fromString("over Entra"));
        message.setMessageId("entra-1");
        sender.sendMessage(message);
        assertTrue(scopes.contains("https://servicebus.azure.net/.default"), scopes.toString());

        ServiceBusReceiverClient receiver = keep(entraBuilder(
                credential(ServiceBusEmulatorEntraIdTest::managedIdentityToken)).receiver().queueName("orders")
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient());
        List<ServiceBusReceivedMessage> received = receiver.receiveMessages(1, WAIT).stream().toList();
        assertEquals(1, received.size());
        assertEquals("entra-1", received.get(0).getMessageId());
        assertEquals("over Entra", received.get(0).getBody().toString());
    }

    @Test
    void tokensTheServiceWouldRefuseAreUnauthorized() {
        start(false);
        List<Function<String, String>> refused = List.of(
                scope -> entra.tokenOfAnUnknownKey(EntraTokens.SERVICEBUS_AUDIENCE),
                scope -> entra.expiredToken(EntraTokens.SERVICEBUS_AUDIENCE),
                scope -> entra.token(EntraTokens.WEBPUBSUB_AUDIENCE, "x"));
        for (Function<String, String> token : refused) {
            ServiceBusSenderClient sender = keep(entraBuilder(credential(token)).sender().queueName("orders")
                    .buildClient());
            ServiceBusException e = assertThrows(ServiceBusException.class,
                    () -> sender.sendMessage(new ServiceBusMessage("no")));
            assertEquals(ServiceBusFailureReason.UNAUTHORIZED, e.getReason(), e.getMessage());
        }
        assertEquals(0, namespace.entityCounts().get("orders").depth());
    }

    @Test
    void sharedAccessSignaturesAreRefusedWhileLocalAuthIsDisabled() {
        start(false);
        ServiceBusSenderClient sender = keep(new ServiceBusClientBuilder()
                .connectionString(namespace.connectionString())
                .retryOptions(new AmqpRetryOptions().setMaxRetries(0).setTryTimeout(Duration.ofSeconds(10)))
                .sender().queueName("orders").buildClient());
        ServiceBusException e = assertThrows(ServiceBusException.class,
                () -> sender.sendMessage(new ServiceBusMessage("no")));
        assertEquals(ServiceBusFailureReason.UNAUTHORIZED, e.getReason());
        assertTrue(e.getMessage().contains("Local authentication is disabled"), e.getMessage());
    }

    @Test
    void withLocalAuthOnePortServesTlsEntraClientsAndPlainSasClients() {
        start(true);
        ServiceBusSenderClient plain = keep(new ServiceBusClientBuilder()
                .connectionString(namespace.connectionString()).sender().queueName("orders").buildClient());
        plain.sendMessage(new ServiceBusMessage("plain"));
        ServiceBusSenderClient overTls = keep(entraBuilder(
                credential(ServiceBusEmulatorEntraIdTest::managedIdentityToken)).sender().queueName("orders")
                .buildClient());
        overTls.sendMessage(new ServiceBusMessage("tls"));
        assertEquals(2, namespace.entityCounts().get("orders").depth());
    }
}
