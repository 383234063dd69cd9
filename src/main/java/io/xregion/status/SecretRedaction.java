package io.xregion.status;

import java.util.regex.Pattern;

/**
 * Hides what looks like a secret in a text xregion did not write itself (an error message of a library shown on the
 * status page): the values of connection string and SAS keys ({@code SharedAccessKey=}, {@code AccessKey=},
 * {@code sig=}, {@code password=}, {@code access_token=}...), bearer tokens and JWTs. xregion's own texts never hold
 * one; this keeps it so whatever a library puts in its messages.
 */
final class SecretRedaction {

    static final String HIDDEN = "***";

    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)\\b(SharedAccessKey|SharedAccessSignature|AccessKey|AccountKey|sig|signature|password|pwd|secret"
                    + "|access_token|token|client_secret)(\\s*[=:]\\s*)[^;&\\s\"',]+");
    private static final Pattern BEARER = Pattern.compile("(?i)\\bBearer\\s+[A-Za-z0-9._~+/=-]+");
    private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private SecretRedaction() {
    }

    /** The text with every secret-looking value replaced by {@value #HIDDEN}; null stays null. */
    static String redact(String text) {
        if (text == null) {
            return null;
        }
        String hidden = KEY_VALUE.matcher(text).replaceAll("$1$2" + HIDDEN);
        hidden = BEARER.matcher(hidden).replaceAll("Bearer " + HIDDEN);
        return JWT.matcher(hidden).replaceAll(HIDDEN);
    }
}
