package io.xregion.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The route files keep the conventions docs/extending.md states ("Reading a route"): each fits a screen, and each bean
 * method is called one way, either as a {@code bean:} step (an action: it may change state or the message) or as a
 * {@code method:} expression of an EIP (a question or a value: split, filter, loop, choice, setVariable), never both.
 */
class RouteConventionsTest {

    /** Lines that are neither comment nor blank, per route file: a behaviour a reader takes in at once. */
    static final int SCREEN = 55;

    static List<Path> routeFiles() {
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            return files.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyRouteFileFitsAScreen() throws IOException {
        List<Path> files = routeFiles();
        assertTrue(files.size() > 10, "found the route files: " + files);
        Map<String, Long> tooLong = new TreeMap<>();
        for (Path file : files) {
            long lines = Files.readAllLines(file).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
            if (lines > SCREEN) {
                tooLong.put(file.toString(), lines);
            }
        }
        assertEquals(Map.of(), tooLong, "route files over " + SCREEN + " lines of YAML: split them by behaviour");
    }

    @Test
    void eachBeanMethodIsCalledOneWay() {
        Map<String, TreeSet<String>> ways = new TreeMap<>();
        for (Path file : routeFiles()) {
            Load load = new Load(LoadSettings.builder().build());
            try {
                collect(load.loadFromString(Files.readString(file)), null, ways);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertTrue(ways.containsKey("fanoutCalls.call") && ways.containsKey("webPubSubHealth.unsettled"),
                "found the bean calls: " + ways.keySet());
        List<String> both = new ArrayList<>();
        ways.forEach((method, how) -> {
            if (how.size() > 1) {
                both.add(method + " " + how);
            }
        });
        assertEquals(List.of(), both, "bean methods called both as a bean: step and as a method: expression");
    }

    /** Records each {@code ref}'s method as "step" (under {@code bean:}) or "expression" (under {@code method:}). */
    private static void collect(Object node, String key, Map<String, TreeSet<String>> ways) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("ref") instanceof String ref && ("bean".equals(key) || "method".equals(key))) {
                String method = String.valueOf(map.get("method")).split("\\(", 2)[0].strip();
                ways.computeIfAbsent(ref + "." + method, m -> new TreeSet<>())
                        .add("bean".equals(key) ? "step" : "expression");
            }
            map.forEach((k, v) -> collect(v, String.valueOf(k), ways));
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collect(item, key, ways));
        }
    }
}
