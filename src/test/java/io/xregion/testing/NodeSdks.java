package io.xregion.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The official JavaScript SDKs that src/test/js/package-lock.json pins, installed once into target/js-client with
 * {@code npm ci} (again whenever the lock file changes), beside the test scripts of src/test/js; and this
 * repository's own client library (clients/js) installed there as the package {@code @xregion/web-pubsub-client},
 * as an application would have it, copied afresh on every call.
 */
public final class NodeSdks {

    public static final Path DIRECTORY = Path.of("target", "js-client");
    private static final Path SOURCES = Path.of("src", "test", "js");

    /** The client library's sources, and where its own tests run (with its own lock file's packages). */
    public static final Path LIBRARY = Path.of("clients", "js");
    public static final Path LIBRARY_TESTS = Path.of("target", "js-client-library");
    private static final String LIBRARY_PACKAGE = "@xregion/web-pubsub-client";

    private NodeSdks() {
    }

    /** Copies the scripts and the client library; installs the SDKs if the installed ones are not the lock file's. */
    public static synchronized Path install() {
        try {
            Files.createDirectories(DIRECTORY);
            try (Stream<Path> files = Files.list(SOURCES)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, DIRECTORY.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            npmCiIfChanged(SOURCES.resolve("package-lock.json"), DIRECTORY);
            Path library = DIRECTORY.resolve("node_modules").resolve(LIBRARY_PACKAGE);
            copyTree(LIBRARY, library, List.of("package.json", "src"));
            return DIRECTORY;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The client library with its development packages (clients/js/package-lock.json) in target/js-client-library,
     * ready for {@code node --test}.
     */
    public static synchronized Path installLibraryForItsTests() {
        try {
            copyTree(LIBRARY, LIBRARY_TESTS, List.of("package.json", "package-lock.json", "src", "test"));
            npmCiIfChanged(LIBRARY.resolve("package-lock.json"), LIBRARY_TESTS);
            return LIBRARY_TESTS;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void npmCiIfChanged(Path lockFile, Path directory) throws IOException {
        Path installedLock = directory.resolve("installed-package-lock.json");
        byte[] lock = Files.readAllBytes(lockFile);
        if (Files.isRegularFile(installedLock) && Arrays.equals(lock, Files.readAllBytes(installedLock))) {
            return;
        }
        Files.copy(lockFile, directory.resolve("package-lock.json"), StandardCopyOption.REPLACE_EXISTING);
        Path log = directory.resolve("npm-ci.log");
        try {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm ci took too long");
            assertEquals(0, npm.exitValue(), "npm ci failed; see " + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Files.write(installedLock, lock);
    }

    /** Replaces {@code target}'s copies of the named files and directories of {@code source}. */
    private static void copyTree(Path source, Path target, List<String> names) throws IOException {
        for (String name : names) {
            Path from = source.resolve(name);
            Path to = target.resolve(name);
            if (Files.isDirectory(to)) {
                try (Stream<Path> old = Files.walk(to)) {
                    for (Path p : old.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : files.toList()) {
                    Path copy = to.resolve(from.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.createDirectories(copy.getParent());
                        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }
}
