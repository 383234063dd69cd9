package io.xregion.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The catalogue ({@link XregionMeter}) is the one place meter names and tags come from: every route's
 * {@code micrometer:} step names an entry of the right type with the entry's tags, no Java code builds a meter beside
 * it, the docs list every entry, and the common tags are added to xregion's meters only. ({@code MetersTest} checks
 * the running app's series against the catalogue.)
 */
class MeterCatalogueTest {

    /** A Micrometer builder or registry shortcut: xregion's Java code makes its meters through the catalogue. */
    private static final Pattern METER_BUILT_ELSEWHERE = Pattern.compile(
            "\\b(Counter|Gauge|Timer|DistributionSummary|FunctionCounter|FunctionTimer|LongTaskTimer|TimeGauge)"
                    + "\\.builder\\(|\\.(counter|gauge|timer|summary|more\\(\\)\\.\\w+)\\(\"");
    private static final Pattern MICROMETER_URI = Pattern.compile(
            "micrometer:(counter|timer|gauge|summary|distribution_summary):([^?\"'\\s]+)");

    @Test
    void everyRouteMeterIsACatalogueEntryWithItsTags() throws IOException {
        List<String> problems = new ArrayList<>();
        int seen = 0;
        for (Path file : files(Path.of("routes"), ".camel.yaml")) {
            List<Map<?, ?>> steps = new ArrayList<>();
            for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
                collectMicrometerSteps(document, steps);
            }
            for (Map<?, ?> step : steps) {
                seen++;
                Matcher uri = MICROMETER_URI.matcher(String.valueOf(step.get("uri")));
                if (!uri.find()) {
                    problems.add(file + ": " + step.get("uri") + " is no micrometer meter URI");
                    continue;
                }
                XregionMeter meter = XregionMeter.named(uri.group(2)).orElse(null);
                if (meter == null) {
                    problems.add(file + ": " + uri.group(2) + " is not in XregionMeter");
                    continue;
                }
                if (!meter.type().name().equalsIgnoreCase(uri.group(1))) {
                    problems.add(file + ": " + uri.group(2) + " is a " + uri.group(1) + ", the catalogue says "
                            + meter.type());
                }
                Set<String> tags = new TreeSet<>();
                if (step.get("parameters") instanceof Map<?, ?> parameters) {
                    parameters.keySet().stream().map(String::valueOf).filter(k -> k.startsWith("tags."))
                            .forEach(k -> tags.add(k.substring("tags.".length())));
                }
                if (!tags.equals(new TreeSet<>(meter.tagKeys()))) {
                    problems.add(file + ": " + uri.group(2) + " has the tags " + tags + ", the catalogue "
                            + meter.tagKeys());
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(seen >= 5, "the routes' micrometer steps were found (" + seen + ")");
    }

    @Test
    void noJavaCodeBuildsAMeterBesideTheCatalogue() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String root : List.of("src/main/java", "src/dev/java", "src/local-azure/java")) {
            for (Path file : files(Path.of(root), ".java")) {
                if (file.endsWith(Path.of("io/xregion/observe/XregionMeter.java"))) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    if (METER_BUILT_ELSEWHERE.matcher(line).find()) {
                        problems.add(file + ":" + (i + 1) + ": " + line.trim());
                    }
                    Matcher uri = MICROMETER_URI.matcher(line);
                    while (uri.find()) {
                        if (XregionMeter.named(uri.group(2)).isEmpty() && !line.trim().startsWith("*")) {
                            problems.add(file + ":" + (i + 1) + ": " + uri.group(2) + " is not in XregionMeter");
                        }
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), "meters made outside io.xregion.observe.XregionMeter:\n"
                + String.join("\n", problems));
    }

    @Test
    void theObservabilityPageListsEveryMeter() throws IOException {
        String page = Files.readString(Path.of("docs/observability.md"));
        List<String> missing = Stream.of(XregionMeter.values()).map(XregionMeter::meterName)
                .filter(name -> !page.contains("`" + name + "`")).toList();
        assertTrue(missing.isEmpty(), "docs/observability.md does not list " + missing);
    }

    @Test
    void namesAreUniqueAndPrometheusNamesAreTheSeriesDashboardsRead() {
        assertEquals(XregionMeter.values().length,
                Stream.of(XregionMeter.values()).map(XregionMeter::meterName).distinct().count());
        // the names other work (alert rules, the dashboard, the status page) relies on
        assertEquals("xregion_delivery_latency_seconds", XregionMeter.DELIVERY_LATENCY.prometheusName());
        assertEquals("xregion_servicebus_replication_lag_seconds",
                XregionMeter.SERVICEBUS_REPLICATION_LAG.prometheusName());
        assertEquals("xregion_servicebus_processing_retries_total",
                XregionMeter.SERVICEBUS_PROCESSING_RETRIES.prometheusName());
        assertEquals("xregion_webpubsub_negotiate_refused_total",
                XregionMeter.WEBPUBSUB_NEGOTIATE_REFUSED.prometheusName());
        assertEquals("xregion_servicebus_outbox_accepting", XregionMeter.SERVICEBUS_OUTBOX_ACCEPTING.prometheusName());
        assertEquals("xregion_servicebus_outbox_broken", XregionMeter.SERVICEBUS_OUTBOX_BROKEN.prometheusName());
        assertEquals("xregion_servicebus_outbox_oldest_age_seconds",
                XregionMeter.SERVICEBUS_OUTBOX_OLDEST_AGE.prometheusName());
        assertEquals("xregion_servicebus_dead_lettered_total", XregionMeter.SERVICEBUS_DEAD_LETTERED.prometheusName());
    }

    @Test
    void anEntryRefusesTagsItDoesNotHave() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertThrows(IllegalArgumentException.class,
                () -> XregionMeter.SERVICEBUS_SENDS.counter(registry, "namespace", "eastus"));
        assertThrows(IllegalArgumentException.class,
                () -> XregionMeter.SERVICEBUS_PROCESSED.counter(registry, "namespace", "eastus"));
        assertThrows(IllegalArgumentException.class, () -> XregionMeter.DELIVERY_LATENCY.counter(registry));
        XregionMeter.SERVICEBUS_SENDS.counter(registry, "outcome", "accepted", "namespace", "eastus").increment();
        assertEquals(1.0, registry.get("xregion.servicebus.sends").counter().count());
    }

    @Test
    void commonTagsGoOnXregionMetersOnlyAndKeepATagAlreadyGiven() {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getCamelContextExtension().setName("xregion-test");
        context.getPropertiesComponent().addInitialProperty(CommonTags.REGION_PROPERTY, "westus");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new CommonTags(context));

        XregionMeter.SERVICEBUS_PROCESSED.counter(registry).increment();
        registry.counter("xregion.webpubsub.events", "camelContext", "given", "instance", "eastus", "kind", "connect");
        registry.counter("camel.exchanges.total", "camelContext", "xregion-test");

        var processed = registry.get("xregion.servicebus.processed").counter().getId();
        assertEquals("xregion-test", processed.getTag("camelContext"));
        assertEquals("westus", processed.getTag("region"));
        var events = registry.get("xregion.webpubsub.events").counter().getId();
        assertEquals("given", events.getTag("camelContext"), "a tag already given is kept");
        assertEquals("westus", events.getTag("region"));
        assertEquals(null, registry.get("camel.exchanges.total").counter().getId().getTag("region"),
                "Camel's own meters are left alone");
    }

    private static void collectMicrometerSteps(Object node, List<Map<?, ?>> steps) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("uri") instanceof String uri && uri.startsWith("micrometer:")) {
                steps.add(map);
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                // the short form, to: "micrometer:counter:name?tags=..."
                if (!"uri".equals(entry.getKey()) && entry.getValue() instanceof String value
                        && value.startsWith("micrometer:")) {
                    steps.add(Map.of("uri", value));
                }
                collectMicrometerSteps(entry.getValue(), steps);
            }
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectMicrometerSteps(item, steps));
        }
    }

    private static List<Path> files(Path root, String suffix) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }
}
