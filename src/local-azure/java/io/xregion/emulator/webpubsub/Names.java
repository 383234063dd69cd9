package io.xregion.emulator.webpubsub;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The service's naming rules, and percent-decoding of path segments. */
final class Names {

    private static final Pattern HUB = Pattern.compile("^[A-Za-z][A-Za-z0-9_`,.\\[\\]]{0,127}$");

    private Names() {
    }

    static boolean validHub(String hub) {
        return hub != null && HUB.matcher(hub).matches();
    }

    /** 1 to 1024 characters, not only white space. */
    static boolean validGroup(String group) {
        return group != null && !group.isEmpty() && group.length() <= 1024 && !group.isBlank();
    }

    static boolean validId(String id) {
        return id != null && !id.isEmpty() && id.length() <= 1024;
    }

    /** Percent-decodes one path segment ('+' stays a plus, as in any URL path); null when malformed. */
    static String decodeSegment(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            int percent = raw.indexOf('%', i);
            int end = percent < 0 ? raw.length() : percent;
            bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
            if (percent < 0) {
                break;
            }
            if (percent + 2 >= raw.length()) {
                return null;
            }
            int hi = Character.digit(raw.charAt(percent + 1), 16);
            int lo = Character.digit(raw.charAt(percent + 2), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            bytes.write(hi * 16 + lo);
            i = percent + 3;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
