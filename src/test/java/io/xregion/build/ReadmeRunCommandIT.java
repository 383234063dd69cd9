package io.xregion.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;

/**
 * The README's first command, exactly as written, in a fresh clone of this repository (no target/, so nothing an
 * earlier build left behind helps): it must answer {@code /negotiate} within the deadline. The clone is of the
 * committed HEAD, which on CI is what is tested.
 *
 * <p>The only difference from a newcomer's terminal is the ports: free ones instead of 8080 and 9876 (through
 * MAVEN_OPTS, as system properties of the Maven JVM that camel:run runs the app in), so the check cannot collide with
 * an app left running.
 */
class ReadmeRunCommandIT {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Path PROJECT = Path.of("").toAbsolutePath();

    @TempDir
    Path work;

    private Process run;

    @AfterEach
    void stop() throws InterruptedException {
        if (run != null) {
            run.descendants().forEach(ProcessHandle::destroy);
            run.destroy();
            if (!run.waitFor(20, TimeUnit.SECONDS)) {
                run.descendants().forEach(ProcessHandle::destroyForcibly);
                run.destroyForcibly();
            }
        }
    }

    /** The first line of the README's first fenced block, without its comment (what the before-stop hook runs). */
    static String firstCommand(List<String> readme) {
        boolean inBlock = false;
        for (String line : readme) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (inBlock && !line.isBlank()) {
                return line.replaceFirst("\\s#.*$", "").trim();
            }
        }
        throw new AssertionError("README.md has no fenced block");
    }

    @Test
    void theReadmesRunCommandAnswersNegotiateFromAFreshClone() throws Exception {
        String command = firstCommand(Files.readAllLines(PROJECT.resolve("README.md"), StandardCharsets.UTF_8));
        Path clone = work.resolve("xregion");
        Process git = new ProcessBuilder("git", "clone", "-q", PROJECT.toString(), clone.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("git.log").toFile()).start();
        assertTrue(git.waitFor(60, TimeUnit.SECONDS) && git.exitValue() == 0, () -> "git clone failed: " + log("git.log"));
        assertTrue(Files.notExists(clone.resolve("target")), "a fresh clone has no target/");

        int port = RunningApp.freePort();
        int managementPort = RunningApp.freePort();
        File output = work.resolve("run.log").toFile();
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "exec " + command).directory(clone.toFile())
                .redirectErrorStream(true).redirectOutput(output);
        String mavenOpts = builder.environment().getOrDefault("MAVEN_OPTS", "");
        builder.environment().put("MAVEN_OPTS", (mavenOpts + " -Dcamel.server.port=" + port
                + " -Dcamel.management.port=" + managementPort).trim());
        builder.environment().keySet().removeIf(k -> k.startsWith("XREGION_") || k.startsWith("CAMEL_"));
        long started = System.nanoTime();
        run = builder.start();

        String negotiate = "http://127.0.0.1:" + port + "/negotiate?userId=readme";
        HttpCalls.Answer answer = null;
        while (System.nanoTime() - started < DEADLINE.toNanos()) {
            assertTrue(run.isAlive(), () -> "'" + command + "' exited:\n" + tail(output));
            try {
                answer = HttpCalls.get(negotiate);
                if (answer.status() == 200) {
                    break;
                }
            } catch (RuntimeException notYetListening) {
                // the app is not up yet
            }
            Thread.sleep(250);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertNotNull(answer, () -> "'" + command + "' did not listen within " + DEADLINE + ":\n" + tail(output));
        assertEquals(200, answer.status(), () -> "'" + command + "' did not answer /negotiate within " + DEADLINE
                + ":\n" + tail(output));
        assertTrue(answer.json().path("url").asText().startsWith("ws://127.0.0.1:"), answer.body());
        assertEquals("eastus", answer.json().path("region").asText(), answer.body());
        System.out.printf("README run check: '%s' from a fresh clone answered /negotiate after %d s%n", command,
                seconds);
    }

    private String log(String name) {
        try {
            return Files.readString(work.resolve(name));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String tail(File output) {
        try {
            List<String> lines = Files.readAllLines(output.toPath(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
