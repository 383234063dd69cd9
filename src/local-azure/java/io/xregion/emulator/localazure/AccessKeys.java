package io.xregion.emulator.localazure;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Access keys for the local instances and namespaces: generated like the services' own, or checked when given. */
public final class AccessKeys {

    /** What a given key may look like, said the same way wherever a key is refused. */
    public static final String SHAPE_DESCRIPTION = "at least 32 characters of A-Z, a-z, 0-9, +, /, =, _ or -";

    private static final SecureRandom RANDOM = new SecureRandom();
    // base64 and base64url only: a key goes into connection strings (";" separates their parts), into shell files
    // between single quotes, and Web PubSub signs with its UTF-8 bytes, of which it needs 32
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9+/=_-]{32,512}");

    private AccessKeys() {
    }

    /** A fresh random key shaped like the services' (44 base64 characters). */
    public static String generate() {
        byte[] bytes = new byte[33];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static boolean wellFormed(String key) {
        return key != null && SHAPE.matcher(key).matches();
    }
}
