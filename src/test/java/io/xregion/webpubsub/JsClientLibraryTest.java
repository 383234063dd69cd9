package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.NodeSdks;
import io.xregion.testing.WsClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The client library's own tests (clients/js/test, node's built-in test runner) run by Maven, so that
 * {@code mvn verify} runs them: its behaviour against fake instances and a fake negotiate on loopback, and what it
 * assumes of the official client it wraps.
 */
@Tag("slow")
class JsClientLibraryTest {

    @Test
    void theLibrarysOwnTestsPass() throws Exception {
        Path directory = NodeSdks.installLibraryForItsTests();
        Path log = directory.resolve("node-test.log");
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        try (Stream<Path> files = Files.list(directory.resolve("test"))) {
            // as the package's "test" script (node 20 expands no globs; test/fakes.js is no test file)
            files.map(f -> "test/" + f.getFileName()).filter(f -> f.endsWith(".test.js")).sorted()
                    .forEach(command::add);
        }
        assertTrue(command.size() > 3, "no test files in " + directory.resolve("test"));
        Process node = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean ended = node.waitFor(3, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        if (!ended) {
            node.destroyForcibly();
        }
        assertTrue(ended, "node --test took longer than 3 minutes:\n" + output);
        assertEquals(0, node.exitValue(), "the library's tests failed:\n" + output);
        assertTrue(output.contains("ℹ fail 0") && !output.contains("ℹ tests 0"), output);
    }

    @Test
    void theLibraryIsTestedAgainstTheSdkVersionTheOtherTestsPin() throws Exception {
        assertEquals(pinned(Path.of("src", "test", "js", "package-lock.json")),
                pinned(NodeSdks.LIBRARY.resolve("package-lock.json")),
                "clients/js and src/test/js must lock the same @azure/web-pubsub-client");
    }

    private static String pinned(Path lockFile) throws Exception {
        JsonNode lock = WsClient.JSON.readTree(lockFile.toFile());
        return lock.path("packages").path("node_modules/@azure/web-pubsub-client").path("version").asText("none");
    }
}
