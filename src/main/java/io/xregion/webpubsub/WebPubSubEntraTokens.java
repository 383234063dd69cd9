package io.xregion.webpubsub;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import com.azure.core.credential.TokenCredential;

import io.xregion.security.AzureCredential;
import io.xregion.security.EntraBearerToken;
import io.xregion.security.EntraCredentials;

/**
 * The Microsoft Entra ID bearer token of each instance reached without a key (scope
 * {@value #SCOPE}), each kept while it is valid; instances on the same identity share its credential.
 */
public final class WebPubSubEntraTokens {

    /** The Web PubSub data plane's scope (audience {@code https://webpubsub.azure.com}). */
    public static final String SCOPE = "https://webpubsub.azure.com/.default";

    private final Map<String, EntraBearerToken> byInstance = new LinkedHashMap<>();

    public WebPubSubEntraTokens(WebPubSubInstances instances, EntraCredentials credentials, Clock clock) {
        this(instances, credentials::credential, clock);
    }

    /** @param credentials the credential of each kind ({@link EntraCredentials#credential}) */
    public WebPubSubEntraTokens(WebPubSubInstances instances,
            Function<AzureCredential, TokenCredential> credentials, Clock clock) {
        for (WebPubSubInstance instance : instances.all()) {
            if (instance.credential().entra()) {
                byInstance.put(instance.name(), new EntraBearerToken(credentials.apply(instance.credential()),
                        SCOPE, clock));
            }
        }
    }

    /** {@code Bearer <token>} for an instance reached with Entra ID. */
    public String authorization(WebPubSubInstance instance) {
        EntraBearerToken token = byInstance.get(instance.name());
        if (token == null) {
            throw new IllegalArgumentException("Web PubSub instance '" + instance.name() + "' uses its access key");
        }
        return token.authorization();
    }
}
