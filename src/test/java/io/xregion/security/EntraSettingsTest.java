package io.xregion.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import com.azure.core.credential.TokenCredential;
import org.apache.camel.component.azure.servicebus.CredentialType;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.xregion.config.Settings;
import io.xregion.servicebus.NamespaceCredentials;
import io.xregion.servicebus.ServiceBusNamespace;
import io.xregion.servicebus.ServiceBusSettings;
import io.xregion.testing.Keys;
import io.xregion.webpubsub.WebPubSubInstance;
import io.xregion.webpubsub.WebPubSubInstances;
import reactor.core.publisher.Mono;

/**
 * Keys or Microsoft Entra ID, per instance and namespace: an Entra one needs its endpoint or fully qualified namespace
 * and no key; every bad setting is refused with a message naming the property (and its environment variable).
 */
class EntraSettingsTest {

    private static Settings settings(String... keyValues) {
        Map<String, String> values = new LinkedHashMap<>(Map.of(
                "xregion.webpubsub.instances", "eastus,westus", "xregion.webpubsub.primary", "eastus",
                "xregion.webpubsub.hub", "chat",
                "xregion.webpubsub.eastus.connection-string", "Endpoint=https://east.webpubsub.azure.com;AccessKey="
                        + Keys.random() + ";Version=1.0;",
                "xregion.servicebus.mode", "active", "xregion.servicebus.primary", "eastus",
                "xregion.servicebus.secondary", "westus", "xregion.servicebus.entity", "xregion-messages",
                "xregion.servicebus.entity-type", "queue"));
        values.put("xregion.servicebus.eastus.connection-string",
                "Endpoint=sb://east.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=" + Keys.random());
        values.put("xregion.servicebus.send.try-timeout-ms", "3000");
        values.put("xregion.servicebus.send.max-retries", "1");
        values.put("xregion.servicebus.max-message-bytes", "250000");
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        // application.properties' defaults (every setting the records check), then this test's
        Properties properties = new Properties();
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("application.properties"))) {
            properties.load(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        properties.putAll(values);
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(properties);
        return new Settings(context.getPropertiesComponent(), "prod");
    }

    @Test
    void anEntraInstanceHasItsEndpointAndNoKey() {
        WebPubSubInstances instances = WebPubSubInstances.load(settings(
                "xregion.webpubsub.westus.credential", "workload-identity",
                "xregion.webpubsub.westus.endpoint", "https://west.webpubsub.azure.com/"));
        WebPubSubInstance westus = instances.byName("westus").orElseThrow();
        assertEquals(AzureCredential.WORKLOAD_IDENTITY, westus.credential());
        assertEquals(URI.create("https://west.webpubsub.azure.com"), westus.endpoint());
        assertNull(westus.accessKey());
        assertEquals(AzureCredential.KEY, instances.primary().credential());
    }

    @Test
    void anEntraNamespaceGetsATokenCredentialAndItsFullyQualifiedNamespace() {
        ServiceBusSettings serviceBus = ServiceBusSettings.load(settings(
                "xregion.servicebus.westus.credential", "managed-identity",
                "xregion.servicebus.westus.fully-qualified-namespace", "west.servicebus.windows.net"));
        ServiceBusNamespace westus = serviceBus.namespace("westus");
        assertEquals("west.servicebus.windows.net", westus.fullyQualifiedNamespace());
        assertEquals(5671, westus.port());
        assertNull(westus.connectionString());

        TokenCredential identity = request -> Mono.empty();
        var configuration = new org.apache.camel.component.azure.servicebus.ServiceBusConfiguration();
        NamespaceCredentials.apply(configuration, westus, kind -> identity);
        assertEquals(CredentialType.TOKEN_CREDENTIAL, configuration.getCredentialType());
        assertSame(identity, configuration.getTokenCredential());
        assertEquals("west.servicebus.windows.net", configuration.getFullyQualifiedNamespace());
        assertNull(configuration.getConnectionString());

        var keyed = new org.apache.camel.component.azure.servicebus.ServiceBusConfiguration();
        NamespaceCredentials.apply(keyed, serviceBus.namespace("eastus"), null);
        assertEquals(CredentialType.CONNECTION_STRING, keyed.getCredentialType());
        assertEquals(serviceBus.namespace("eastus").connectionString(), keyed.getConnectionString());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
        xregion.webpubsub.westus.credential  | managed-identity | Web PubSub instance 'westus' uses managed-identity and so needs its endpoint: xregion.webpubsub.westus.endpoint is not set (set it in application.properties or the environment variable XREGION_WEBPUBSUB_WESTUS_ENDPOINT)
        xregion.webpubsub.westus.credential  | msi              | xregion.webpubsub.westus.credential must be key, managed-identity or workload-identity, not 'msi'
        xregion.servicebus.westus.credential | managed-identity | Service Bus namespace 'westus' has no fully qualified namespace (it uses managed-identity): xregion.servicebus.westus.fully-qualified-namespace is not set (set it in application.properties or the environment variable XREGION_SERVICEBUS_WESTUS_FULLY_QUALIFIED_NAMESPACE)
        xregion.servicebus.westus.credential | keys             | xregion.servicebus.westus.credential must be key, managed-identity or workload-identity, not 'keys'
        """)
    void aBadOrIncompleteSettingNamesItsProperty(String key, String value, String message) {
        Settings settings = settings(key, value, "xregion.webpubsub.westus.connection-string",
                "Endpoint=https://west.webpubsub.azure.com;AccessKey=" + Keys.random() + ";Version=1.0;",
                "xregion.servicebus.westus.connection-string", "Endpoint=sb://west.servicebus.windows.net/;"
                        + "SharedAccessKeyName=root;SharedAccessKey=" + Keys.random());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            WebPubSubInstances.load(settings);
            ServiceBusSettings.load(settings);
        });
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        xregion.webpubsub.westus.endpoint                    | https://west.webpubsub.azure.com/api | xregion.webpubsub.westus.endpoint must be https://host[:port], with no path or query
        xregion.webpubsub.westus.endpoint                    | west.webpubsub.azure.com             | xregion.webpubsub.westus.endpoint must be https://host[:port], with no path or query
        xregion.servicebus.westus.fully-qualified-namespace | sb://west.servicebus.windows.net/    | Service Bus namespace 'westus': the fully qualified namespace must be a host name such as <name>.servicebus.windows.net, without scheme, port or path
        """)
    void aMalformedPlaceIsRefused(String key, String value, String message) {
        Settings settings = settings("xregion.webpubsub.westus.credential", "managed-identity",
                "xregion.servicebus.westus.credential", "managed-identity",
                "xregion.webpubsub.westus.endpoint", "https://west.webpubsub.azure.com",
                "xregion.servicebus.westus.fully-qualified-namespace", "west.servicebus.windows.net", key, value);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            WebPubSubInstances.load(settings);
            ServiceBusSettings.load(settings);
        });
        assertEquals(message, e.getMessage());
    }
}
