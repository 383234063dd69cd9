package io.xregion.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Tokens signed and checked with nimbus-jose-jwt, the library the official Java SDK uses, so that tests of our
 * own JWT code and of the emulator do not lean on the code under test.
 */
public final class NimbusTokens {

    private NimbusTokens() {
    }

    public static String sign(String key, Map<String, Object> claims) {
        try {
            JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
            claims.forEach(builder::claim);
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), builder.build());
            jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** The claims of a token whose HS256 signature the key verifies; an AssertionError otherwise. */
    public static Map<String, Object> verify(String key, String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!jwt.verify(new MACVerifier(key.getBytes(StandardCharsets.UTF_8)))) {
                throw new AssertionError("signature does not verify");
            }
            return jwt.getJWTClaimsSet().getClaims();
        } catch (java.text.ParseException | JOSEException e) {
            throw new AssertionError(e);
        }
    }

    public static long inSeconds(long seconds) {
        return System.currentTimeMillis() / 1000 + seconds;
    }
}
