package io.xregion.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.spi.PropertiesComponent;

/**
 * Settings from a mounted secret, such as a Kubernetes Secret volume: every file of the directory named by
 * {@code xregion.secrets.directory} whose name is an {@code xregion.*} key sets that key to the file's content (one
 * trailing line break dropped). They take precedence over the environment and application.properties. Files whose
 * names start with a dot (Kubernetes' own {@code ..data} links) and other names are left alone; no value is ever
 * logged or put in a message.
 */
public final class MountedSecrets {

    private MountedSecrets() {
    }

    /** Loads the directory's settings; returns the keys it set. */
    public static List<String> load(PropertiesComponent properties, Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalStateException("xregion.secrets.directory " + directory + " is not a directory");
        }
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> secrets = files.filter(f -> f.getFileName().toString().matches("xregion\\.[A-Za-z0-9.-]+"))
                    .filter(Files::isRegularFile).sorted().toList();
            for (Path file : secrets) {
                String value = Files.readString(file, StandardCharsets.UTF_8);
                if (value.endsWith("\n")) {
                    value = value.substring(0, value.length() - (value.endsWith("\r\n") ? 2 : 1));
                }
                properties.addOverrideProperty(file.getFileName().toString(), value);
            }
            return secrets.stream().map(f -> f.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("the secrets in " + directory + " cannot be read", e);
        }
    }
}
