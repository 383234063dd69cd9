package io.xregion.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three kinds of code keep apart, as the JDK's jdeps reads them from the compiled classes:
 * production code never uses the local Azure or the dev profile (so the runner jar can leave them out), and the local
 * Azure uses nothing of the app (so it runs as a jar of its own). Only the dev profile joins the two.
 */
class CodeBoundariesTest {

    private static final Path CLASSES = Path.of("target", "classes");
    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.xregion\\.\\S+)\\s+->\\s+(io\\.xregion\\.\\S+)\\s");
    private static List<String[]> edges;

    @BeforeAll
    static void readDependencies() {
        assertTrue(Files.isDirectory(CLASSES.resolve("io/xregion/emulator")), "compile first (mvn test)");
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in "
                + System.getProperty("java.home")));
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:class", "-filter:none", "-e", "io\\.xregion\\..*",
                CLASSES.toString());
        assertEquals(0, status, out::toString);
        edges = out.toString().lines().map(EDGE::matcher).filter(Matcher::find)
                .map(m -> new String[] {m.group(1), m.group(2)}).toList();
        assertTrue(edges.size() > 100, "jdeps found too few dependencies to be reading the classes: " + edges.size());
    }

    private static boolean localAzure(String type) {
        return type.startsWith("io.xregion.emulator.");
    }

    private static boolean devProfile(String type) {
        return type.startsWith("io.xregion.dev.");
    }

    private static boolean production(String type) {
        return !localAzure(type) && !devProfile(type);
    }

    @Test
    void productionCodeUsesNeitherTheLocalAzureNorTheDevProfile() {
        List<String> offending = edges.stream().filter(e -> production(e[0]) && !production(e[1]))
                .map(e -> e[0] + " -> " + e[1]).toList();
        assertEquals(List.of(), offending);
    }

    @Test
    void theLocalAzureUsesNothingOfTheApp() {
        List<String> offending = edges.stream().filter(e -> localAzure(e[0]) && !localAzure(e[1]))
                .map(e -> e[0] + " -> " + e[1]).toList();
        assertEquals(List.of(), offending);
    }

    @Test
    void theDevProfileIsWhereTheTwoMeet() {
        assertTrue(edges.stream().anyMatch(e -> devProfile(e[0]) && localAzure(e[1])), "dev uses the local Azure");
        assertTrue(edges.stream().anyMatch(e -> devProfile(e[0]) && production(e[1])), "dev uses the app");
    }
}
