package io.xregion.emulator.localazure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the local Azure writes for its users, in one output directory:
 * <ul>
 * <li>{@code secrets/}: one file per connection-string key ({@code xregion.webpubsub.eastus.connection-string},
 * ...), the directory an app server's production profile reads with {@code xregion.secrets.directory};</li>
 * <li>{@code local-azure.env}: the same as {@code export XREGION_..._CONNECTION_STRING='...'} lines to
 * {@code source}, and {@code LOCAL_AZURE_CONTROL_URL};</li>
 * <li>{@code control-url}: the control API's base URL.</li>
 * </ul>
 * Every file is written under a temporary name and moved into place, and the secrets directory is filled before it
 * is moved into place as a whole, last: whoever sees it sees every file complete, and the other two already there.
 * A start removes what an earlier run left, so nobody connects to its dead ports; a clean stop removes them too.
 */
public final class ConnectionFiles {

    static final String SECRETS = "secrets";
    static final String ENV_FILE = "local-azure.env";
    static final String CONTROL_URL = "control-url";
    static final String CONTROL_URL_VARIABLE = "LOCAL_AZURE_CONTROL_URL";
    private static final String STAGING_PREFIX = ".local-azure-";
    private static final String SECRET_NAME = "xregion\\.[A-Za-z0-9.-]+";

    private final Path directory;

    public ConnectionFiles(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    public Path secretsDirectory() {
        return directory.resolve(SECRETS);
    }

    public Path envFile() {
        return directory.resolve(ENV_FILE);
    }

    public Path controlUrlFile() {
        return directory.resolve(CONTROL_URL);
    }

    /**
     * Removes the files an earlier run left behind. A secrets directory holding anything else is refused rather
     * than emptied: the output directory may have been pointed at a place the local Azure does not own.
     */
    public void removeStale() {
        Path secrets = secretsDirectory();
        if (Files.isDirectory(secrets)) {
            List<String> foreign = list(secrets).stream().map(p -> p.getFileName().toString())
                    .filter(name -> !name.matches(SECRET_NAME)).sorted().toList();
            if (!foreign.isEmpty()) {
                throw new IllegalStateException(secrets + " holds files the local Azure did not write " + foreign
                        + "; remove them or choose another output directory");
            }
        }
        remove();
    }

    /** Writes the connection strings (xregion.* key to value) and the control API's URL. */
    public void write(Map<String, String> connectionStrings, URI controlUrl) {
        try {
            Files.createDirectories(directory);
            writeAtomically(controlUrlFile(), controlUrl + "\n");
            writeAtomically(envFile(), environmentFile(connectionStrings, controlUrl));
            // created owner-only (rwx------ on POSIX file systems), as are the files in it: they hold keys
            Path staging = Files.createTempDirectory(directory, STAGING_PREFIX);
            for (Map.Entry<String, String> entry : connectionStrings.entrySet()) {
                Path file = Files.createTempFile(staging, STAGING_PREFIX, ".tmp");
                Files.writeString(file, entry.getValue() + "\n", StandardCharsets.UTF_8);
                Files.move(file, staging.resolve(entry.getKey()), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, secretsDirectory(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the connection files in " + directory + ": " + e, e);
        }
    }

    /** Removes the files this class writes, and leftovers of an interrupted write; nothing else. */
    public void remove() {
        try {
            Files.deleteIfExists(controlUrlFile());
            Files.deleteIfExists(envFile());
            if (Files.isDirectory(directory)) {
                for (Path leftover : list(directory)) {
                    if (leftover.getFileName().toString().startsWith(STAGING_PREFIX)) {
                        deleteSecrets(leftover);
                    }
                }
            }
            deleteSecrets(secretsDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the connection files in " + directory + ": " + e, e);
        }
    }

    /** The environment variable the app reads a key from: upper case, dots and dashes as underscores. */
    static String environmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String environmentFile(Map<String, String> connectionStrings, URI controlUrl) {
        StringBuilder file = new StringBuilder()
                .append("# Written by the local Azure while it runs (removed when it stops): the connection strings\n")
                .append("# for an xregion app server in the production profile, and the control API's URL.\n");
        // values are shell-safe between single quotes: hosts, ports and keys are checked to hold no quote
        connectionStrings.forEach((key, value) -> file.append("export ").append(environmentVariable(key))
                .append("='").append(value).append("'\n"));
        file.append("export ").append(CONTROL_URL_VARIABLE).append("='").append(controlUrl).append("'\n");
        return file.toString();
    }

    private void writeAtomically(Path target, String content) throws IOException {
        Path temporary = Files.createTempFile(directory, STAGING_PREFIX, ".tmp");
        try {
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** A secrets directory (or a staging one, or a temporary file) and the files in it. */
    private static void deleteSecrets(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            for (Path file : list(path)) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(path);
    }

    private static List<Path> list(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e, e);
        }
    }
}
