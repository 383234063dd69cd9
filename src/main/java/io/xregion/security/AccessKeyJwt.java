package io.xregion.security;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;

/**
 * The HS256 JSON Web Tokens an Azure Web PubSub access key signs (REST calls, client URLs), on nimbus-jose-jwt, the
 * library the official Azure SDKs use.
 *
 * <p>The signing key is the access key's UTF-8 bytes, not its base64 decoding: that is what every Azure SDK does.
 * Errors never carry the key or the token.
 *
 * <p>nimbus signs and encodes; the claims are written as JSON by Jackson and the header is encoded once: going
 * through nimbus's JWTClaimsSet (its embedded Gson) and re-encoding the same header for every token took two thirds
 * of a token's cost (11 µs against 4 µs a token; a negotiate mints one, so it showed as a quarter of negotiate's CPU
 * in the Web PubSub benchmark, JFR). The token is the same: same header, same claims, same signature.
 */
public final class AccessKeyJwt {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final JWSHeader HEADER = encodedOnce(new JWSHeader.Builder(JWSAlgorithm.HS256)
            .type(JOSEObjectType.JWT).build());
    /** One signer per access key (an app server has one or two keys per instance), at most this many. */
    private static final int SIGNERS = 64;
    private static final Provider HMAC_PROVIDER = hmacProvider();
    private static final Map<String, MACSigner> SIGNER_BY_KEY = new ConcurrentHashMap<>();

    private AccessKeyJwt() {
    }

    /**
     * Signs the claims; {@code exp}, {@code nbf} and {@code iat} are given as epoch seconds, a single {@code aud} as a
     * string (it stays a string in the token, as the service expects).
     */
    public static String sign(Map<String, ?> claims, String accessKey) {
        byte[] payload;
        try {
            payload = JSON.writeValueAsBytes(claims);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the claims cannot be written as JSON: " + e.getOriginalMessage());
        }
        // encoded by the JDK (an intrinsic) rather than by nimbus's own codec, which showed in profiles
        JWSObject jwt = new JWSObject(HEADER, new Payload(new Base64URL(BASE64URL.encodeToString(payload))));
        try {
            jwt.sign(signer(accessKey));
        } catch (JOSEException e) {
            // nimbus refuses HS256 keys under 256 bits; its message names the length only
            throw new IllegalStateException("an access key cannot sign an HS256 token: " + e.getMessage());
        }
        return jwt.serialize();
    }

    private static MACSigner signer(String accessKey) throws JOSEException {
        MACSigner signer = SIGNER_BY_KEY.get(accessKey);
        if (signer == null) {
            signer = new MACSigner(accessKey.getBytes(StandardCharsets.UTF_8));
            // the JDK's HMAC provider named once, rather than looked up among all providers for every token
            signer.getJCAContext().setProvider(HMAC_PROVIDER);
            if (SIGNER_BY_KEY.size() >= SIGNERS) {
                SIGNER_BY_KEY.clear();
            }
            SIGNER_BY_KEY.put(accessKey, signer);
        }
        return signer;
    }

    private static Provider hmacProvider() {
        try {
            return Mac.getInstance("HmacSHA256").getProvider();
        } catch (NoSuchAlgorithmException e) {
            // HmacSHA256 is mandatory in every JRE
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The header as parsed from its own encoding, which nimbus then reuses instead of encoding it per token. */
    private static JWSHeader encodedOnce(JWSHeader header) {
        try {
            return JWSHeader.parse(header.toBase64URL());
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("nimbus cannot read its own JWS header", e);
        }
    }
}
