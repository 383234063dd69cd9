package io.xregion.security;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * The HS256 JSON Web Tokens an Azure Web PubSub access key signs (REST calls, client URLs), on nimbus-jose-jwt, the
 * library the official Azure SDKs use.
 *
 * <p>The signing key is the access key's UTF-8 bytes, not its base64 decoding: that is what every Azure SDK does.
 * Errors never carry the key or the token.
 */
public final class AccessKeyJwt {

    private static final JWSHeader HEADER = new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT)
            .build();

    private AccessKeyJwt() {
    }

    /**
     * Signs the claims; {@code exp}, {@code nbf} and {@code iat} are given as epoch seconds, a single {@code aud} as a
     * string (it stays a string in the token, as the service expects).
     */
    public static String sign(Map<String, ?> claims, String accessKey) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
        claims.forEach((name, value) -> builder.claim(name, switch (name) {
            case "exp", "nbf", "iat" -> new Date(((Number) value).longValue() * 1000);
            default -> value;
        }));
        SignedJWT jwt = new SignedJWT(HEADER, builder.build());
        try {
            jwt.sign(new MACSigner(accessKey.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            // nimbus refuses HS256 keys under 256 bits; its message names the length only
            throw new IllegalStateException("an access key cannot sign an HS256 token: " + e.getMessage());
        }
        return jwt.serialize();
    }
}
