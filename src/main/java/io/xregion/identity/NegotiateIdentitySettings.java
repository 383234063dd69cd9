package io.xregion.identity;

/** The names of negotiate's identity and rate-limit properties (application.properties documents each). */
public final class NegotiateIdentitySettings {

    public static final String MODE = "xregion.webpubsub.negotiate.identity";
    public static final String ALLOW_ANONYMOUS = "xregion.webpubsub.negotiate.allow-anonymous";
    public static final String JWT = "xregion.webpubsub.negotiate.jwt.";
    public static final String HEADER_NAME = "xregion.webpubsub.negotiate.header.name";
    public static final String RATE_LIMIT = "xregion.webpubsub.negotiate.rate-limit.";

    private NegotiateIdentitySettings() {
    }
}
