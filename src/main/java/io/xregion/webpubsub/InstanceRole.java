package io.xregion.webpubsub;

import java.util.Locale;

/**
 * What an instance is to this app server: the instance of its own region ({@code xregion.webpubsub.primary}) or one
 * of another region's. Negotiate prefers the primary, failback closes home clients on the secondaries, and metrics
 * tag every instance with its role.
 */
public enum InstanceRole {
    PRIMARY, SECONDARY;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** The role as metrics and logs name it: {@code primary}, {@code secondary}. */
    public String tag() {
        return tag;
    }
}
