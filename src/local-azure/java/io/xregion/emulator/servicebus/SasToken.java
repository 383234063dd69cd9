package io.xregion.emulator.servicebus;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.xregion.emulator.security.AccessKeyTokens;

/**
 * Checks a shared access signature as the service does:
 * {@code SharedAccessSignature sr=<url-encoded audience>&sig=<url-encoded base64 HMAC-SHA256 of "sr\nse">&se=<expiry>&skn=<policy>}.
 */
final class SasToken {

    private SasToken() {
    }

    /** Null when the token is valid for the audience, else why it is not (never echoing the token). */
    static String problem(String token, String keyName, String key, String audience, long nowSeconds) {
        String prefix = "SharedAccessSignature ";
        if (token == null || !token.startsWith(prefix)) {
            return "not a shared access signature";
        }
        Map<String, String> fields = new HashMap<>();
        for (String pair : token.substring(prefix.length()).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        String resource = fields.get("sr");
        String signature = fields.get("sig");
        String expiry = fields.get("se");
        if (resource == null || signature == null || expiry == null || fields.get("skn") == null) {
            return "sr, sig, se and skn are required";
        }
        if (!keyName.equals(decode(fields.get("skn")))) {
            return "unknown shared access policy";
        }
        long expires;
        try {
            expires = Long.parseLong(decode(expiry));
        } catch (NumberFormatException e) {
            return "se is not a number";
        }
        if (expires < nowSeconds) {
            return "the token has expired";
        }
        byte[] expected = AccessKeyTokens.hmacSha256(key,
                (resource + "\n" + decode(expiry)).getBytes(StandardCharsets.UTF_8));
        byte[] actual;
        try {
            actual = Base64.getDecoder().decode(decode(signature));
        } catch (IllegalArgumentException e) {
            return "sig is not base64";
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            return "the signature does not match the key";
        }
        String signedFor = decode(resource).toLowerCase(Locale.ROOT);
        String wanted = audience == null ? signedFor : audience.toLowerCase(Locale.ROOT);
        if (!wanted.startsWith(signedFor)) {
            return "the token was signed for another resource";
        }
        return null;
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
