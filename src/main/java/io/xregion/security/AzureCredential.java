package io.xregion.security;

import java.util.Arrays;
import java.util.Locale;

/**
 * How xregion proves who it is to one Web PubSub instance or Service Bus namespace
 * ({@code xregion.webpubsub.<instance>.credential}, {@code xregion.servicebus.<namespace>.credential}):
 * <ul>
 * <li>{@code key}: the access key of its connection string (the default, and the only way before Entra ID);</li>
 * <li>{@code managed-identity}: the Azure managed identity of the host (App Service, Container Apps, a VM, AKS with
 * pod identity): system-assigned, or user-assigned when {@code xregion.azure.client-id} (AZURE_CLIENT_ID) names it;
 * azure-identity's ManagedIdentityCredential;</li>
 * <li>{@code workload-identity}: Microsoft Entra Workload ID on AKS: the federated service-account token the
 * workload-identity webhook mounts (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE);
 * azure-identity's WorkloadIdentityCredential.</li>
 * </ul>
 * The two Entra kinds need no key at all, so they work where the tenant's policy disables local auth.
 */
public enum AzureCredential {
    KEY("key"), MANAGED_IDENTITY("managed-identity"), WORKLOAD_IDENTITY("workload-identity");

    private final String setting;

    AzureCredential(String setting) {
        this.setting = setting;
    }

    /** The value as written in configuration. */
    public String setting() {
        return setting;
    }

    /** True for the kinds that get Microsoft Entra ID tokens instead of using a key. */
    public boolean entra() {
        return this != KEY;
    }

    /** The kind a property names; the message of a bad value names the property and the values it takes. */
    public static AzureCredential parse(String key, String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(c -> c.setting.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalStateException(key + " must be key, managed-identity or "
                        + "workload-identity, not '" + value + "'"));
    }
}
