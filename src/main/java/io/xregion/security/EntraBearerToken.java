package io.xregion.security;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;

/**
 * {@code Authorization: Bearer <token>} for one scope (e.g. {@code https://webpubsub.azure.com/.default}), from a
 * TokenCredential, kept while it is valid for more than {@link #RENEW_BEFORE} (what azure-core's
 * BearerTokenAuthenticationPolicy also leaves), so a broadcast does not ask the credential on every call. A failure
 * to get a token says why without the token.
 */
public final class EntraBearerToken {

    /** A token this close to its expiry is renewed before use. */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    private final TokenCredential credential;
    private final TokenRequestContext request;
    private final Clock clock;
    private volatile AccessToken current;
    private volatile String header;

    public EntraBearerToken(TokenCredential credential, String scope, Clock clock) {
        this.credential = credential;
        this.request = new TokenRequestContext().addScopes(scope);
        this.clock = clock;
    }

    /** The Authorization header value. */
    public String authorization() {
        AccessToken token = current;
        if (token == null || !validLongEnough(token)) {
            synchronized (this) {
                token = current;
                if (token == null || !validLongEnough(token)) {
                    AccessToken fresh;
                    try {
                        fresh = credential.getTokenSync(request);
                    } catch (RuntimeException e) {
                        throw new IllegalStateException("no Microsoft Entra ID token for " + request.getScopes()
                                + ": " + e.getClass().getSimpleName(), e);
                    }
                    header = "Bearer " + fresh.getToken();
                    current = fresh;
                }
            }
        }
        return header;
    }

    private boolean validLongEnough(AccessToken token) {
        return token.getExpiresAt().isAfter(OffsetDateTime.now(clock).plus(RENEW_BEFORE));
    }
}
