package io.xregion.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 keyed with a string's UTF-8 bytes, as Web PubSub's event signatures are. */
public final class HmacSha256 {

    private HmacSha256() {
    }

    /** Lower-case hex of the HMAC of a UTF-8 string: one value of Web PubSub's {@code ce-signature}. */
    public static String hex(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // HmacSHA256 is mandatory in every JRE and any non-empty key is valid for it
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
