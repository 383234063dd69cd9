package io.xregion.testing;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ManagedIdentityCredential;
import com.azure.identity.ManagedIdentityCredentialBuilder;

/**
 * Run in a JVM of its own with {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} (and, for a user-assigned
 * identity, {@code AZURE_CLIENT_ID}) set: azure-identity reads them from the process environment when it starts, so
 * no in-process test can point it at {@link LocalEntraId}. Prints "TOKEN <token>" per scope argument.
 */
public final class ManagedIdentityProbe {

    private ManagedIdentityProbe() {
    }

    public static void main(String[] scopes) {
        ManagedIdentityCredentialBuilder builder = new ManagedIdentityCredentialBuilder();
        String clientId = System.getenv("AZURE_CLIENT_ID");
        if (clientId != null && !clientId.isBlank()) {
            builder.clientId(clientId);
        }
        ManagedIdentityCredential credential = builder.build();
        for (String scope : scopes) {
            AccessToken token = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
            System.out.println("TOKEN " + token.getToken());
        }
    }
}
