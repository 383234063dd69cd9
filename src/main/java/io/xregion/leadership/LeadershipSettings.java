package io.xregion.leadership;

import java.util.LinkedHashMap;
import java.util.Map;

import io.xregion.config.Settings;

/** Checks of the leadership properties beyond Settings' own, with the same kind of messages. */
final class LeadershipSettings {

    private LeadershipSettings() {
    }

    /** {@code name=value,name=value}: the labels of the pods that take part in the election. */
    static Map<String, String> labels(String key, String value) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String part : Settings.required(key, value).split(",")) {
            String pair = part.trim();
            int equals = pair.indexOf('=');
            if (equals <= 0 || equals == pair.length() - 1) {
                throw new IllegalStateException(key + " must be name=value pairs separated by commas");
            }
            labels.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return labels;
    }
}
