package io.xregion.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An app server that dies holding messages: the shipped routes ({@code routes/*.camel.yaml}) copied into a directory
 * of the test's, but for {@code servicebus-process}, which waits ten minutes. Started with them (its routes
 * include pattern, or its working directory), an app server holds every message it receives, its lock and its claim
 * renewed, until the test kills it.
 */
public final class StuckProcessing {

    private StuckProcessing() {
    }

    /** Writes the routes into {@code directory} (made if missing) and returns it. */
    public static Path routesIn(Path directory) throws IOException {
        Files.createDirectories(directory);
        try (var files = Files.list(Path.of("routes"))) {
            for (Path route : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(route, directory.resolve(route.getFileName()));
            }
        }
        Files.writeString(directory.resolve("process.camel.yaml"), """
                - route:
                    id: servicebus-process
                    from:
                      uri: direct:process
                      steps:
                        - delay:
                            constant: 600000
                """);
        return directory;
    }
}
