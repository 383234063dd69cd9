package io.xregion.security;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import io.xregion.config.Settings;

/** The Microsoft Entra ID credentials of the instances and namespaces whose credential is not {@code key}. */
public class AzureIdentityConfiguration implements CamelConfiguration {

    /**
     * Made on first use only: an install on keys alone never builds an azure-identity credential. The client id of
     * a user-assigned managed identity is xregion.azure.client-id, else AZURE_CLIENT_ID (azure-identity's own
     * variable, which the AKS workload-identity webhook also sets).
     */
    @BindToRegistry(value = "entraCredentials", lazy = true)
    public EntraCredentials entraCredentials(CamelContext context) {
        return new EntraCredentials(Settings.of(context).optional("xregion.azure.client-id")
                .orElseGet(() -> System.getenv("AZURE_CLIENT_ID")));
    }
}
