package io.xregion.emulator.security;

import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

/**
 * The emulators' side of Microsoft Entra ID: a Bearer JWT is accepted when an {@link EntraIssuer}'s key signed it
 * (RS256, as Entra signs access tokens), it names that issuer, it is for this service's audience
 * ({@code https://webpubsub.azure.com}, {@code https://servicebus.azure.net}) and it is within its lifetime (with a
 * small clock skew). The JWKS is fetched on first use and cached; a token with an unknown {@code kid} refetches it
 * (each time: a local issuer is cheap to ask), so the issuer can roll its keys.
 *
 * <p>Role assignments (Web PubSub Service Owner, Service Bus Data Sender...) live in Azure RBAC, not in the token,
 * and are not emulated: any valid token of the issuer for the audience is authorised.
 *
 * <p>{@link #verify} may fetch the JWKS over HTTP: callers on an event loop run it off the loop.
 */
public final class EntraTokens {

    /** The Web PubSub data plane's Entra audience (scope {@code https://webpubsub.azure.com/.default}). */
    public static final String WEBPUBSUB_AUDIENCE = "https://webpubsub.azure.com";
    /** Service Bus's Entra audience (scope {@code https://servicebus.azure.net/.default}). */
    public static final String SERVICEBUS_AUDIENCE = "https://servicebus.azure.net";

    private static final int CLOCK_SKEW_SECONDS = 300;
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(2);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public EntraTokens(EntraIssuer issuer, String audience) {
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(issuer.jwks().toURL(),
                    new com.nimbusds.jose.util.DefaultResourceRetriever((int) FETCH_TIMEOUT.toMillis(),
                            (int) FETCH_TIMEOUT.toMillis(), JWKSourceBuilder.DEFAULT_HTTP_SIZE_LIMIT))
                    .retrying(false).rateLimited(false).build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("the JWKS URL is not a URL");
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256), keys));
        // mutable sets: nimbus asks them whether they contain null, which Set.of() answers with an exception
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new HashSet<>(Set.of(audience)), new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(),
                new HashSet<>(Set.of("exp")), new HashSet<>());
        claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** True for a JWT that is not one of the access-key kind (HS256), so is meant for Entra ID. */
    public static boolean isEntraToken(String token) {
        try {
            return !JWSAlgorithm.HS256.equals(SignedJWT.parse(token).getHeader().getAlgorithm());
        } catch (ParseException e) {
            return false;
        }
    }

    /**
     * The claims of a valid token, as JSON values; otherwise an {@link AccessKeyTokens.InvalidTokenException} whose
     * message says what is wrong and never echoes the token.
     */
    public Map<String, Object> verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new AccessKeyTokens.InvalidTokenException("not a signed JWT");
        } catch (BadJOSEException e) {
            // nimbus's messages name the failed check (audience, issuer, expiry, key) and never the token
            throw new AccessKeyTokens.InvalidTokenException(e.getMessage());
        } catch (JOSEException e) {
            throw new AccessKeyTokens.InvalidTokenException("the issuer's keys cannot be read");
        }
        Map<String, Object> json = new LinkedHashMap<>(claims.toJSONObject());
        List<String> audience = claims.getAudience();
        if (audience.size() == 1) {
            json.put("aud", audience.get(0));
        }
        return json;
    }
}
