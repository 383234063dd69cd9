package io.xregion.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * HS256 JSON Web Tokens, the only kind Azure Web PubSub access keys sign.
 *
 * <p>The signing key is the access key's UTF-8 bytes, not its base64 decoding: that is what every Azure SDK does.
 * Error messages describe what is wrong with a token but never echo the token or the key.
 */
public final class Hs256Jwt {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    private static final TypeReference<LinkedHashMap<String, Object>> CLAIMS = new TypeReference<>() { };

    private Hs256Jwt() {
    }

    /** Signs the claims with the key's UTF-8 bytes. */
    public static String sign(Map<String, ?> claims, String key) {
        try {
            String payload = encode(JSON.writeValueAsBytes(claims));
            String signingInput = HEADER + "." + payload;
            return signingInput + "." + encode(hmac(key, signingInput));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("claims cannot be written as JSON", e);
        }
    }

    /**
     * Checks the signature and the lifetime ({@code exp} required, {@code nbf} honoured) and returns the claims.
     *
     * @param skew how far the clocks of the signer and of this machine may disagree
     */
    public static Map<String, Object> verify(String token, String key, Clock clock, Duration skew) {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("no token");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("not a JWT (expected three dot-separated parts)");
        }
        Map<String, Object> header = readJson(parts[0], "header");
        if (!"HS256".equals(header.get("alg"))) {
            throw new InvalidTokenException("unsupported algorithm (only HS256 is accepted)");
        }
        byte[] expected = hmac(key, parts[0] + "." + parts[1]);
        byte[] actual;
        try {
            actual = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("signature is not base64url");
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new InvalidTokenException("signature does not match");
        }
        Map<String, Object> claims = readJson(parts[1], "payload");
        long now = clock.instant().getEpochSecond();
        Object exp = claims.get("exp");
        if (!(exp instanceof Number)) {
            throw new InvalidTokenException("no exp claim");
        }
        if (((Number) exp).longValue() + skew.toSeconds() < now) {
            throw new InvalidTokenException("token expired");
        }
        Object nbf = claims.get("nbf");
        if (nbf instanceof Number && ((Number) nbf).longValue() - skew.toSeconds() > now) {
            throw new InvalidTokenException("token not valid yet");
        }
        return claims;
    }

    /** Reads the claims without checking anything: for diagnostics and tests only. */
    public static Map<String, Object> unverifiedClaims(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("not a JWT (expected three dot-separated parts)");
        }
        return readJson(parts[1], "payload");
    }

    private static Map<String, Object> readJson(String part, String what) {
        try {
            return JSON.readValue(Base64.getUrlDecoder().decode(part), CLAIMS);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new InvalidTokenException(what + " is not base64url JSON");
        }
    }

    private static byte[] hmac(String key, String data) {
        return HmacSha256.digest(key, data.getBytes(StandardCharsets.US_ASCII));
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Raised for a token that must be refused; its message is safe to return to the caller. */
    public static final class InvalidTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidTokenException(String message) {
            super(message);
        }
    }

    /** HMAC-SHA256 keyed with a string's UTF-8 bytes. */
    public static final class HmacSha256 {
        private HmacSha256() {
        }

        public static byte[] digest(String key, byte[] data) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                return mac.doFinal(data);
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                // HmacSHA256 is mandatory in every JRE and any non-empty key is valid for it
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }

        /** Lower-case hex of the HMAC of a UTF-8 string, as in Web PubSub's {@code ce-signature}. */
        public static String hex(String key, String data) {
            byte[] digest = digest(key, data.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(digest.length * 2);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        }
    }
}
