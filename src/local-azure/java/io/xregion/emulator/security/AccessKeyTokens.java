package io.xregion.emulator.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * The emulators' side of access-key authentication, on nimbus-jose-jwt (the library the official SDKs use), kept
 * apart from the app's own token code so that a bug on one side cannot hide the same bug on the other.
 *
 * <p>The key is the access key's UTF-8 bytes, not its base64 decoding, as every Azure SDK does. Messages say what
 * is wrong with a token and never echo the token or the key.
 */
public final class AccessKeyTokens {

    /**
     * Tokens whose signature was checked, at most this many: a caller reuses its token for many calls (xregion's
     * REST calls for half the token's lifetime, as the official SDKs cache theirs), and checking the HS256
     * signature, parsing and decoding it took a fifth of the local Azure's CPU under broadcast traffic (JFR, the
     * install benchmark at 100 msg/s). The outcome depends on the token and this key only, so a remembered one is
     * the same answer; its times (exp, nbf) are still checked on every call.
     */
    static final int REMEMBERED_TOKENS = 1024;

    /** A token whose signature and shape passed: its claims, and its lifetime as epoch seconds (nbf: -1 if none). */
    private record Checked(Map<String, Object> claims, long expires, long notBefore) {
    }

    private final byte[] key;
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    public AccessKeyTokens(String accessKey) {
        this.key = accessKey.getBytes(StandardCharsets.UTF_8);
        if (key.length * 8 < 256) {
            // nimbus refuses HS256 keys under 256 bits; a real access key is 44 base64 characters
            throw new IllegalArgumentException("an access key must be at least 32 bytes");
        }
    }

    /** An HS256 JWT of these claims ({@code exp} and {@code nbf} as epoch seconds). */
    public String sign(Map<String, ?> claims) {
        try {
            JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
            claims.forEach((name, value) -> builder.claim(name, switch (name) {
                case "exp", "nbf", "iat" -> new Date(((Number) value).longValue() * 1000);
                default -> value;
            }));
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                    builder.build());
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
    }

    /**
     * The claims of a valid token, as JSON values: HS256, signed with this key, {@code exp} present and not passed, {@code nbf}
     * honoured, both with this clock skew.
     */
    public Map<String, Object> verify(String token, Clock clock, Duration skew) {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("no token");
        }
        Checked known = checked.get(token);
        if (known == null) {
            known = check(token);
            if (checked.size() >= REMEMBERED_TOKENS) {
                checked.clear();
            }
            checked.put(token, known);
        }
        long now = clock.instant().getEpochSecond();
        if (known.expires() + skew.toSeconds() < now) {
            throw new InvalidTokenException("token expired");
        }
        if (known.notBefore() >= 0 && known.notBefore() - skew.toSeconds() > now) {
            throw new InvalidTokenException("token not valid yet");
        }
        return new LinkedHashMap<>(known.claims());
    }

    /** Signature, algorithm and claims of a token, whatever the time: what never changes for one token and key. */
    private Checked check(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new InvalidTokenException("not a signed JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new InvalidTokenException("unsupported algorithm (only HS256 is accepted)");
        }
        try {
            JWSVerifier verifier = new MACVerifier(key);
            if (!jwt.verify(verifier)) {
                throw new InvalidTokenException("signature does not match");
            }
        } catch (JOSEException e) {
            throw new InvalidTokenException("signature cannot be checked");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException("payload is not a JSON object");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new InvalidTokenException("no exp claim");
        }
        Date nbf = claims.getNotBeforeTime();
        Map<String, Object> json = new LinkedHashMap<>(claims.toJSONObject());
        List<String> audience = claims.getAudience();
        if (audience.size() == 1) {
            // the service's tokens carry one audience, as a string
            json.put("aud", audience.get(0));
        }
        return new Checked(java.util.Collections.unmodifiableMap(json), exp.getTime() / 1000, nbf == null ? -1 : nbf.getTime() / 1000);
    }

    /** Lower-case hex of HMAC-SHA256 over a UTF-8 string, as in Web PubSub's {@code ce-signature}. */
    public String hexSignature(String data) {
        return HexFormat.of().formatHex(hmacSha256(key, data.getBytes(StandardCharsets.UTF_8)));
    }

    /** HMAC-SHA256 keyed with a string's UTF-8 bytes (Service Bus SAS signatures). */
    public static byte[] hmacSha256(String key, byte[] data) {
        return hmacSha256(key.getBytes(StandardCharsets.UTF_8), data);
    }

    private static byte[] hmacSha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // HmacSHA256 is mandatory in every JRE and any non-empty key is valid for it
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** A token that must be refused; its message is safe to return to the caller. */
    public static final class InvalidTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidTokenException(String message) {
            super(message);
        }
    }
}
