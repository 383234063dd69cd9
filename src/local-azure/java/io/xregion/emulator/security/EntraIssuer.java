package io.xregion.emulator.security;

import java.net.URI;
import java.util.Objects;

/**
 * The Microsoft Entra ID an emulator trusts, as a real instance trusts its tenant's: tokens must name this issuer
 * ({@code iss}) and be signed by a key of its JWKS. Locally that is a small issuer on loopback (the tests' own, or
 * any OpenID provider one points the local Azure at).
 *
 * @param issuer the exact {@code iss} of its tokens, e.g. {@code https://sts.windows.net/<tenant>/}
 * @param jwks   where its signing keys are published (a JWK set, as Entra's {@code discovery/keys})
 */
public record EntraIssuer(String issuer, URI jwks) {

    public EntraIssuer {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(jwks, "jwks");
        if (issuer.isBlank()) {
            throw new IllegalArgumentException("the issuer must not be empty");
        }
        if (!"http".equals(jwks.getScheme()) && !"https".equals(jwks.getScheme())) {
            throw new IllegalArgumentException("the JWKS URL must be http or https");
        }
    }
}
