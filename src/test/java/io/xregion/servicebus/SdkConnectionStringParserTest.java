package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import com.azure.messaging.servicebus.ServiceBusConnectionStringProperties;
import org.junit.jupiter.api.Test;

/**
 * Why {@link ServiceBusNamespace#of} reads host and port itself rather than through the Service Bus SDK's public
 * {@link ServiceBusConnectionStringProperties} (azure-messaging-servicebus 7.17.16; docs/camel-workarounds.md): the
 * SDK's parser drops the endpoint's port, which the reachability probe needs (the local emulators, and any namespace
 * reached through a port of its own), and its error for a malformed pair quotes the pair, key included, where xregion
 * never lets a secret reach a message. When this test fails, the SDK's parser may take over.
 */
class SdkConnectionStringParserTest {

    private static final String EMULATOR = "Endpoint=sb://127.0.0.1:5673/;SharedAccessKeyName=test;"
            + "SharedAccessKey=c2VjcmV0;UseDevelopmentEmulator=true;";

    @Test
    void theSdksParserDropsThePortOurProbeNeeds() {
        ServiceBusConnectionStringProperties sdk = ServiceBusConnectionStringProperties.parse(EMULATOR);
        assertEquals("sb://127.0.0.1", sdk.getEndpoint(), "the SDK keeps the port now");
        ServiceBusNamespace ours = ServiceBusNamespace.of("eastus", EMULATOR, Duration.ofSeconds(1), 0);
        assertEquals("127.0.0.1:5673", ours.host() + ":" + ours.port());
    }

    @Test
    void theSdksParserQuotesASecretInItsError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceBusConnectionStringProperties.parse("Endpoint=sb://x/;SharedAccessKey c2VjcmV0"));
        assertTrue(e.getMessage().contains("c2VjcmV0"), "the SDK no longer quotes the key: " + e.getMessage());
    }
}
