package io.xregion.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.IOHelper;

/**
 * Typed reads of xregion's properties: the one way settings are read. Each area loads its settings once into a typed
 * record through these reads ({@code WebPubSubSettings}, {@code ServiceBusSettings}, ...), checking every bound.
 * Every property can also come from an environment variable (Camel maps
 * {@code xregion.webpubsub.eastus.connection-string} to {@code XREGION_WEBPUBSUB_EASTUS_CONNECTION_STRING}), so
 * errors name both, and never echo a value.
 */
public final class Settings {

    /** The profile that starts the embedded local Azure; production takes every setting from outside. */
    public static final String DEV_PROFILE = "dev";
    public static final String PROD_PROFILE = "prod";

    private final PropertiesComponent properties;
    private final String camelProfile;

    public Settings(PropertiesComponent properties, String camelProfile) {
        this.properties = properties;
        this.camelProfile = camelProfile;
    }

    public static Settings of(CamelContext context) {
        return new Settings(context.getPropertiesComponent(), context.getCamelContextExtension().getProfile());
    }

    /** Camel's profile (camel.main.profile): {@code dev}, or {@code prod}, which is also the default. */
    public String profile() {
        String profile = camelProfile == null || camelProfile.isBlank() ? PROD_PROFILE : camelProfile.trim();
        if (!profile.equals(DEV_PROFILE) && !profile.equals(PROD_PROFILE)) {
            throw new IllegalStateException("camel.main.profile (CAMEL_MAIN_PROFILE) must be dev or prod, not '"
                    + profile + "'");
        }
        return profile;
    }

    public boolean devProfile() {
        return DEV_PROFILE.equals(profile());
    }

    public Optional<String> optional(String key) {
        return properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String required(String key) {
        return optional(key).orElseThrow(() -> new IllegalStateException(missing(key)));
    }

    public long number(String key, long min, long max) {
        return number(key, required(key), min, max);
    }

    public boolean flag(String key) {
        return flag(key, required(key));
    }

    /** A value read elsewhere (e.g. one part of a setting) that must not be blank, trimmed. */
    public static String required(String key, String value) {
        String trimmed = value == null ? "" : value.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalStateException(missing(key));
        }
        return trimmed;
    }

    private static long number(String key, String value, long min, long max) {
        String text = required(key, value);
        long number;
        try {
            number = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + " must be a whole number");
        }
        if (number < min || number > max) {
            throw new IllegalStateException(key + " must be between " + min + " and " + max);
        }
        return number;
    }

    private static boolean flag(String key, String value) {
        String text = required(key, value);
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new IllegalStateException(key + " must be true or false");
        }
        return Boolean.parseBoolean(text);
    }

    /** A comma-separated list, blanks dropped; empty when the value is. */
    public static List<String> commaSeparated(String value) {
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    /** A comma-separated list, blanks dropped; empty when the property is absent or empty. */
    public List<String> list(String key) {
        return commaSeparated(optional(key).orElse(null));
    }

    /** The message for a required property nobody set. */
    public static String missing(String key) {
        return key + " is not set (set it in application.properties or the environment variable "
                + IOHelper.normalizeEnvironmentVariable(key) + ")";
    }
}
