package io.xregion.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The official JavaScript SDKs that src/test/js/package-lock.json pins, installed once into target/js-client with
 * {@code npm ci} (again whenever the lock file changes), beside the test scripts of src/test/js.
 */
public final class NodeSdks {

    public static final Path DIRECTORY = Path.of("target", "js-client");
    private static final Path SOURCES = Path.of("src", "test", "js");
    private static final Path INSTALLED_LOCK = DIRECTORY.resolve("installed-package-lock.json");

    private NodeSdks() {
    }

    /** Copies the scripts and installs the SDKs if the installed ones are not those of the lock file. */
    public static synchronized Path install() {
        try {
            Files.createDirectories(DIRECTORY);
            try (Stream<Path> files = Files.list(SOURCES)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, DIRECTORY.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            byte[] lock = Files.readAllBytes(SOURCES.resolve("package-lock.json"));
            if (Files.isRegularFile(INSTALLED_LOCK) && Arrays.equals(lock, Files.readAllBytes(INSTALLED_LOCK))) {
                return DIRECTORY;
            }
            Path log = DIRECTORY.resolve("npm-ci.log");
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIRECTORY.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm ci took too long");
            assertEquals(0, npm.exitValue(), "npm ci failed; see " + log);
            Files.write(INSTALLED_LOCK, lock);
            return DIRECTORY;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
