package io.xregion.testing;

import java.security.SecureRandom;
import java.util.Base64;

/** Random access keys shaped like the service's (44 base64 characters). */
public final class Keys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {
    }

    public static String random() {
        byte[] bytes = new byte[33];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
