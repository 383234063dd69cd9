package io.xregion.identity;

import java.util.Locale;

/** How negotiate learns who its caller is (xregion.webpubsub.negotiate.identity). */
public enum IdentityMode {
    /** The userId query parameter, unchecked: anyone may ask for any user's token. For development. */
    NONE,
    /** A Bearer token of the app's identity provider (Entra ID or any OpenID Connect issuer), verified here. */
    JWT,
    /** A header a trusted front sets after it authenticated the user (Easy Auth, oauth2-proxy). */
    HEADER;

    public static IdentityMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(NegotiateIdentitySettings.MODE + " must be none, jwt or header, not '"
                    + value.trim() + "'");
        }
    }
}
