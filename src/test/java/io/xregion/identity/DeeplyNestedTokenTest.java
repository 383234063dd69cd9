package io.xregion.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import io.xregion.http.ApiException;

/**
 * CVE-2025-53864: nimbus-jose-jwt before 10.0.2 parses a JWT's claims with unbounded recursion, so claims that nest
 * deeply enough overflow the parsing thread's stack (a StackOverflowError: no exception an API answers). Negotiate
 * (BearerTokens) and the emulators' token checks parse claims only after the signature has been checked, so only a
 * holder of a signing key could send such claims; still, the parser must refuse them, and does from 10.0.2 on.
 */
class DeeplyNestedTokenTest {

    private static final int DEPTH = 200_000;

    private static String nested() {
        return "{\"sub\":\"mallory\",\"x\":" + "[".repeat(DEPTH) + "]".repeat(DEPTH) + "}";
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theParserRefusesDeeplyNestedClaimsInsteadOfOverflowingItsStack() {
        // fails with a StackOverflowError on nimbus-jose-jwt 9.37.3
        assertThrows(ParseException.class, () -> JWTClaimsSet.parse(nested()));
    }

    @Test
    void negotiateRefusesSuchATokenAsInvalid() {
        BearerTokens tokens = new BearerTokens(new BearerTokens.Settings("https://issuer.example", List.of("api://x"),
                "http://127.0.0.1:9/keys", "sub", null, Map.of(), null, 60, 30_000, 1000));
        String token = base64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + base64(nested()) + "."
                + base64("signature");
        ApiException refused = assertThrows(ApiException.class, () -> tokens.verify("Bearer " + token));
        assertEquals(401, refused.status());
    }
}
