package io.xregion.identity;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import io.xregion.http.ApiException;

/**
 * Verifies the Bearer tokens of the app's identity provider with nimbus-jose-jwt: the signature against the issuer's
 * JWKS (found through its OpenID configuration unless given; cached, and fetched again when a token names a key the
 * cache lacks, at most once per refresh interval), {@code iss}, {@code aud}, {@code exp} and {@code nbf} with a small
 * clock skew, and only asymmetric algorithms ({@code alg: none} and HMAC tokens are refused). Refusals are 401 with
 * {@code WWW-Authenticate}; an unreachable provider is 503. No token ever goes into a message.
 */
public final class BearerTokens {

    /** What the provider's tokens are signed with: asymmetric only, so no shared secret can forge one. */
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the tokens are checked and read. */
    public record Settings(String issuer, List<String> audiences, String jwksUrl, String userClaim,
            String rolesClaim, Map<String, List<String>> roleMapping, String groupsClaim, int clockSkewSeconds,
            long jwksRefreshIntervalMillis, int httpTimeoutMillis) {
    }

    private final Settings settings;
    private final DefaultResourceRetriever retriever;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private volatile JWKSource<SecurityContext> keys;

    public BearerTokens(Settings settings) {
        this.settings = settings;
        this.retriever = new DefaultResourceRetriever(settings.httpTimeoutMillis(), settings.httpTimeoutMillis(),
                1024 * 1024);
        // Entra ID and most providers type their access tokens JWT; some send no typ at all
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, this::keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new HashSet<>(settings.audiences()), new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
                Set.of("aud", "exp", settings.userClaim()), null);
        claims.setMaxClockSkew(settings.clockSkewSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** The identity an {@code Authorization: Bearer ...} header proves. */
    public ClientIdentity verify(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("Unauthenticated", "negotiate needs a Bearer token (Authorization: Bearer <token>)",
                    null);
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw unauthorized("Unauthenticated", "the Authorization header must be Bearer <token>", null);
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(SignedJWT.parse(parts[1]), null);
        } catch (ParseException e) {
            throw invalid("the token is not a signed JWT");
        } catch (BadJOSEException e) {
            throw invalid(e.getMessage());
        } catch (RateLimitReachedException e) {
            // a key the cached set lacks, asked for again before the refresh interval is over
            throw invalid("the token's signing key is not one of the identity provider's");
        } catch (KeySourceException e) {
            throw new ApiException(503, "IdentityProviderUnavailable",
                    "the identity provider's keys cannot be fetched; retry shortly", 5);
        } catch (JOSEException e) {
            throw invalid("the token's signature cannot be checked");
        }
        return identity(claims);
    }

    private ClientIdentity identity(JWTClaimsSet claims) {
        Object user = claims.getClaim(settings.userClaim());
        if (!(user instanceof String userId) || userId.isBlank()) {
            throw invalid("the token's " + settings.userClaim() + " claim is not a user id");
        }
        List<String> roles = new ArrayList<>();
        for (String role : strings(claims, settings.rolesClaim())) {
            roles.addAll(settings.roleMapping().getOrDefault(role, List.of()));
        }
        return new ClientIdentity(userId, roles.stream().distinct().toList(), strings(claims, settings.groupsClaim()));
    }

    private static List<String> strings(JWTClaimsSet claims, String claim) {
        if (claim == null || claim.isEmpty()) {
            return List.of();
        }
        Object value = claims.getClaim(claim);
        if (value instanceof String single) {
            return List.of(single);
        }
        if (value instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }

    /** The keys; the provider's JWKS URL comes from its OpenID configuration at the first token, unless given. */
    private List<JWK> keys(JWKSelector selector, SecurityContext context) throws KeySourceException {
        JWKSource<SecurityContext> source = keys;
        if (source == null) {
            synchronized (this) {
                if (keys == null) {
                    keys = JWKSourceBuilder.<SecurityContext>create(jwksUrl(), retriever)
                            .rateLimited(settings.jwksRefreshIntervalMillis()).build();
                }
                source = keys;
            }
        }
        return source.get(selector, context);
    }

    private URL jwksUrl() throws KeySourceException {
        try {
            if (settings.jwksUrl() != null && !settings.jwksUrl().isEmpty()) {
                return URI.create(settings.jwksUrl()).toURL();
            }
            String issuer = settings.issuer().endsWith("/") ? settings.issuer() : settings.issuer() + "/";
            Resource configuration = retriever.retrieveResource(
                    URI.create(issuer + ".well-known/openid-configuration").toURL());
            JsonNode document = JSON.readTree(configuration.getContent());
            if (!settings.issuer().equals(document.path("issuer").asText())) {
                throw new KeySourceException("the OpenID configuration names another issuer");
            }
            return URI.create(document.path("jwks_uri").asText()).toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new KeySourceException("the JWKS URL is not valid");
        } catch (IOException e) {
            throw new KeySourceException("the OpenID configuration cannot be fetched");
        }
    }

    private static ApiException invalid(String description) {
        return unauthorized("InvalidToken", "the Bearer token is refused: " + description, description);
    }

    private static ApiException unauthorized(String code, String message, String description) {
        String challenge = description == null ? "Bearer realm=\"xregion\""
                : "Bearer realm=\"xregion\", error=\"invalid_token\", error_description=\""
                        + description.replace("\"", "'").replace("\\", "") + "\"";
        return ApiException.unauthorized(code, message, challenge);
    }
}
