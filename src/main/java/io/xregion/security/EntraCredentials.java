package io.xregion.security;

import java.util.EnumMap;
import java.util.Map;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;

/**
 * One azure-identity credential per kind for the whole app, made on first use: each holds its own token cache, so
 * every instance and namespace on the same identity shares its tokens. azure-identity reads the identity's
 * environment (IDENTITY_ENDPOINT and IDENTITY_HEADER on App Service and Container Apps, IMDS elsewhere; the
 * workload-identity webhook's AZURE_* variables on AKS) when a credential is built.
 */
public final class EntraCredentials {

    private final String clientId;
    private final Map<AzureCredential, TokenCredential> made = new EnumMap<>(AzureCredential.class);

    /**
     * @param clientId the user-assigned managed identity's client id, or null for the system-assigned one (workload
     *                 identity takes its client id from the webhook's AZURE_CLIENT_ID, or this one when set)
     */
    public EntraCredentials(String clientId) {
        this.clientId = clientId == null || clientId.isBlank() ? null : clientId.trim();
    }

    public synchronized TokenCredential credential(AzureCredential kind) {
        return made.computeIfAbsent(kind, this::build);
    }

    private TokenCredential build(AzureCredential kind) {
        switch (kind) {
            case MANAGED_IDENTITY:
                ManagedIdentityCredentialBuilder managed = new ManagedIdentityCredentialBuilder();
                if (clientId != null) {
                    managed.clientId(clientId);
                }
                return managed.build();
            case WORKLOAD_IDENTITY:
                WorkloadIdentityCredentialBuilder workload = new WorkloadIdentityCredentialBuilder();
                if (clientId != null) {
                    workload.clientId(clientId);
                }
                return workload.build();
            default:
                throw new IllegalArgumentException("an access key is not a token credential");
        }
    }
}
