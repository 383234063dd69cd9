package io.xregion.leadership;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.util.IOHelper;

/** Checks of the leadership properties; every message names the property and its environment variable. */
final class LeadershipSettings {

    private LeadershipSettings() {
    }

    static String named(String key) {
        return key + " (" + IOHelper.normalizeEnvironmentVariable(key) + ")";
    }

    static String text(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(named(key) + " is not set");
        }
        return value.trim();
    }

    static long millis(String value, String key, long min, long max) {
        long number;
        try {
            number = Long.parseLong(text(value, key));
        } catch (NumberFormatException e) {
            throw new IllegalStateException(named(key) + " must be a whole number of milliseconds");
        }
        if (number < min || number > max) {
            throw new IllegalStateException(named(key) + " must be between " + min + " and " + max);
        }
        return number;
    }

    /** {@code name=value,name=value}: the labels of the pods that take part in the election. */
    static Map<String, String> labels(String value, String key) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String part : text(value, key).split(",")) {
            String pair = part.trim();
            int equals = pair.indexOf('=');
            if (equals <= 0 || equals == pair.length() - 1) {
                throw new IllegalStateException(named(key) + " must be name=value pairs separated by commas");
            }
            labels.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return labels;
    }
}
