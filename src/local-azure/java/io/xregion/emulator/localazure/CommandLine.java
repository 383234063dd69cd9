package io.xregion.emulator.localazure;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code [file] [key=value...]}: the settings file (by default ./local-azure.properties, if there is one), then
 * arguments that override single keys.
 */
public final class CommandLine {

    public static final String DEFAULT_FILE = "local-azure.properties";
    public static final String USAGE = """
            usage: java -jar xregion-<version>-local-azure.jar [file] [key=value...]
                   mvn -q -Plocal-azure compile exec:java [-Dexec.args="[file] [key=value...]"]
              file       a properties file (default: ./local-azure.properties, if there is one)
              key=value  overrides one setting of the file, e.g. webpubsub.eastus.port=0
            local-azure.properties describes every setting.""";

    private CommandLine() {
    }

    public static boolean helpRequested(String[] args) {
        return List.of(args).stream().anyMatch(a -> a.equals("-h") || a.equals("--help") || a.equals("help"));
    }

    /** The settings the arguments describe, read relative to {@code workingDirectory}. */
    public static Map<String, String> settings(String[] args, Path workingDirectory) {
        Map<String, String> settings = new LinkedHashMap<>();
        int first = 0;
        if (args.length > 0 && !args[0].contains("=")) {
            settings.putAll(read(workingDirectory.resolve(args[0]), args[0]));
            first = 1;
        } else if (Files.isRegularFile(workingDirectory.resolve(DEFAULT_FILE))) {
            settings.putAll(read(workingDirectory.resolve(DEFAULT_FILE), DEFAULT_FILE));
        }
        for (int i = first; i < args.length; i++) {
            int equals = args[i].indexOf('=');
            if (equals <= 0) {
                throw InvalidSettingsException.of("argument " + (i + 1), "'" + args[i] + "' is not key=value"
                        + (i == 0 ? "" : " (only the first argument can name a file)"));
            }
            settings.put(args[i].substring(0, equals).trim(), args[i].substring(equals + 1).trim());
        }
        return settings;
    }

    private static Map<String, String> read(Path file, String given) {
        if (!Files.isRegularFile(file)) {
            throw InvalidSettingsException.of(given, "no such settings file (" + file.toAbsolutePath() + ")");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw InvalidSettingsException.of(given, "cannot be read as a properties file: " + e.getMessage());
        }
        Map<String, String> settings = new TreeMap<>();
        properties.forEach((key, value) -> settings.put(key.toString(), value.toString()));
        return settings;
    }
}
