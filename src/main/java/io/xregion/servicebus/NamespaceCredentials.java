package io.xregion.servicebus;

import java.util.function.Function;

import com.azure.core.credential.TokenCredential;
import org.apache.camel.component.azure.servicebus.CredentialType;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;

import io.xregion.security.AzureCredential;
import io.xregion.security.EntraCredentials;

/**
 * How a namespace's camel-azure-servicebus component authenticates: its connection string (credential {@code key}),
 * or a Microsoft Entra ID TokenCredential with the fully qualified namespace (credentialType TOKEN_CREDENTIAL), which
 * camel-azure-servicebus 4.17 hands to the SDK's {@code ServiceBusClientBuilder.credential(namespace, credential)};
 * the SDK then puts a {@code jwt} token for {@code https://servicebus.azure.net/.default} on {@code $cbs}.
 */
public final class NamespaceCredentials {

    private NamespaceCredentials() {
    }

    /** @param credentials the credential of each Entra kind ({@link EntraCredentials#credential}) */
    public static void apply(ServiceBusConfiguration configuration, ServiceBusNamespace namespace,
            Function<AzureCredential, TokenCredential> credentials) {
        if (namespace.credential().entra()) {
            configuration.setCredentialType(CredentialType.TOKEN_CREDENTIAL);
            configuration.setTokenCredential(credentials.apply(namespace.credential()));
            configuration.setFullyQualifiedNamespace(namespace.fullyQualifiedNamespace());
        } else {
            configuration.setCredentialType(CredentialType.CONNECTION_STRING);
            configuration.setConnectionString(namespace.connectionString());
        }
    }
}
