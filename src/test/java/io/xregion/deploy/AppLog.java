package io.xregion.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * The output of an app started in its own JVM. A check that a secret is absent from it proves something only if the
 * output is there and is the app's: {@link #ofAppThatRan} fails on a missing, unreadable or empty file and on one
 * without the lines a run of the app writes.
 */
final class AppLog {

    /** Camel's start-up line ({@code Apache Camel 4.17.0 (xregion) started in 2s100ms (build:... )}). */
    static final String STARTED = "(xregion) started in";

    private AppLog() {
    }

    /** The output, which must exist and hold Camel's start-up line and each of the given lines. */
    static String ofAppThatRan(File output, List<String> lines) {
        String log;
        try {
            log = Files.readString(output.toPath());
        } catch (IOException e) {
            throw new AssertionError("the app's output cannot be read, so cannot be checked for secrets: " + e, e);
        }
        String text = log;
        assertTrue(text.contains("Apache Camel ") && text.contains(STARTED),
                () -> "the output does not show the app starting:\n" + text);
        for (String line : lines) {
            assertTrue(text.contains(line), () -> "the output lacks '" + line + "':\n" + text);
        }
        return text;
    }

    /** What the output holds so far, for a failure message; never fails. */
    static String sofar(File output) {
        try {
            return Files.readString(output.toPath());
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
