package io.xregion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import io.xregion.servicebus.ServiceBusSettings;
import io.xregion.testing.Keys;
import io.xregion.webpubsub.WebPubSubInstances;
import io.xregion.webpubsub.WebPubSubSettings;

/**
 * Every {@code {{placeholder}}} in the routes is a setting that a settings record reads and checks at start-up
 * ({@link WebPubSubSettings}, {@link WebPubSubInstances}, {@link ServiceBusSettings}), so a bad value stops the start
 * naming its key instead of failing inside a route (or, for a timer's period, not at all). The only exceptions are a
 * route template's own parameters. Add a placeholder to a route without a check, and this test names it.
 */
class RoutePlaceholdersTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(:[^}]*)?}}");
    /** Values no checked setting takes: blank, not a number, not a name, and a negative number. */
    private static final List<String> BAD = List.of("", "not a value!", "-1", "2147483648000");

    /** The placeholders of the routes, without the route templates' parameters. */
    static Set<String> placeholders() throws IOException {
        Set<String> keys = new TreeSet<>();
        Set<String> parameters = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                String yaml = Files.readString(file);
                Matcher m = PLACEHOLDER.matcher(yaml);
                while (m.find()) {
                    keys.add(m.group(1).strip());
                }
                Matcher p = Pattern.compile("(?m)^\\s*- name: (\\S+)\\s*$").matcher(yaml);
                while (p.find() && yaml.contains("routeTemplate:")) {
                    parameters.add(p.group(1));
                }
            }
        }
        keys.removeAll(parameters);
        return keys;
    }

    /** application.properties, with connection strings for its instances and namespaces, and the overrides. */
    private static Settings settings(Map<String, String> overrides) {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(Path.of("application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = 1;
        for (String instance : properties.getProperty("xregion.webpubsub.instances").split(",")) {
            properties.setProperty(WebPubSubInstances.connectionStringKey(instance.strip()),
                    "Endpoint=http://127.0.0.1;Port=" + port++ + ";AccessKey=" + Keys.random() + ";Version=1.0;");
        }
        for (String key : List.of("xregion.servicebus.primary", "xregion.servicebus.secondary")) {
            properties.setProperty(ServiceBusSettings.connectionStringKey(properties.getProperty(key).strip()),
                    "Endpoint=sb://127.0.0.1:" + port++ + "/;SharedAccessKeyName=test;SharedAccessKey=" + Keys.random()
                            + ";UseDevelopmentEmulator=true;");
        }
        // never started: only its properties component is used
        CamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(properties);
        Properties override = new Properties();
        override.putAll(overrides);
        camel.getPropertiesComponent().setOverrideProperties(override);
        return Settings.of(camel);
    }

    /** What the app reads and checks at start-up for the settings a route uses. */
    private static void loadAll(Settings settings) {
        WebPubSubSettings.load(settings);
        WebPubSubInstances.load(settings);
        ServiceBusSettings.load(settings);
        io.xregion.continuity.ContinuitySettings.load(settings);
    }

    @Test
    void theDefaultsPassTheChecks() {
        loadAll(settings(Map.of()));
    }

    @Test
    void everyPlaceholderOfTheRoutesIsReadAndCheckedBySettings() throws IOException {
        Set<String> keys = placeholders();
        assertTrue(keys.contains("xregion.webpubsub.health.timeout-ms") && keys.size() > 15, "found them: " + keys);
        List<String> unchecked = new ArrayList<>();
        for (String key : keys) {
            boolean refused = false;
            for (String bad : BAD) {
                try {
                    loadAll(settings(Map.of(key, bad)));
                } catch (IllegalStateException e) {
                    refused |= e.getMessage().contains(key);
                }
            }
            if (!refused) {
                unchecked.add(key);
            }
        }
        assertEquals(List.of(), unchecked, "route placeholders no settings record checks (a bad value goes unnoticed)");
    }
}
