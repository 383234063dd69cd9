package io.xregion.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The deployment files as data: the manifests as kustomize renders them, the project's own properties and routes,
 * and the naming rule that turns a property into an environment variable.
 */
final class Manifests {

    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Path K8S = PROJECT.resolve("k8s");
    static final List<String> REGIONS = List.of("eastus", "westus");

    private Manifests() {
    }

    /** Every YAML document of a file. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String yaml) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    static List<Map<String, Object>> documents(Path file) {
        return documents(read(file));
    }

    /** What {@code kubectl apply -k k8s/overlays/<region>} would send to the cluster. */
    static List<Map<String, Object>> rendered(String region) {
        return kustomize(K8S.resolve("overlays").resolve(region));
    }

    /** The Camel K Integration of a region, as {@code kubectl apply -k k8s/camel-k/<region>} would send it. */
    static Map<String, Object> integration(String region) {
        return only(kustomize(K8S.resolve("camel-k").resolve(region)), "Integration");
    }

    /**
     * The flag every render needs: the ConfigMap (k8s/config) is made from application.properties and routes/, which
     * are outside the kustomization, and kustomize refuses those by default. {@code kubectl apply -k} has no such flag,
     * hence the documented {@code kubectl kustomize ... | kubectl apply -f -}.
     */
    static final String LOAD_RESTRICTOR = "--load-restrictor=LoadRestrictionsNone";

    static List<Map<String, Object>> kustomize(Path directory) {
        return documents(run("kubectl", "kustomize", LOAD_RESTRICTOR, directory.toString()));
    }

    /** Runs a command line in the project directory with bash; see {@link #run(String...)}. */
    static String run(String commandLine) {
        return run("bash", "-c", commandLine);
    }

    /** Runs a command in the project directory and returns what it printed; fails on a non-zero exit. */
    static String run(String... command) {
        Outcome outcome = attempt(command);
        if (outcome.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + outcome.output());
        }
        return outcome.output();
    }

    /** What a command printed (standard output and error) and how it exited. */
    record Outcome(int exitCode, String output) {
    }

    /** Runs a command in the project directory, whatever its exit code. */
    static Outcome attempt(String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true)
                    .start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 60 s:\n" + output);
            }
            return new Outcome(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException(command[0] + " cannot be run (kubectl renders the overlays; .ci/run "
                    + "installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The command a document gives to install a kustomization ({@code kubectl kustomize ... <directory> | kubectl
     * apply -f -}), as written there (its continuation lines joined), without the {@code | kubectl apply -f -} that
     * would send it to a cluster.
     */
    static String installCommand(Path document, String directory) {
        String text = read(document).replaceAll("\\\\\n[#\\s]*", " ");
        Matcher command = Pattern.compile("(kubectl kustomize [^|\n]*?" + Pattern.quote(directory)
                + ")\\s*\\|\\s*kubectl apply -f -").matcher(text);
        if (!command.find()) {
            throw new AssertionError(document + " gives no kubectl kustomize ... " + directory
                    + " | kubectl apply -f - command");
        }
        return command.group(1).trim();
    }

    static Map<String, Object> only(List<Map<String, Object>> documents, String kind) {
        List<Map<String, Object>> found = documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found.size());
        }
        return found.get(0);
    }

    /** The one document of a kind with a name. */
    static Map<String, Object> named(List<Map<String, Object>> documents, String kind, String name) {
        return only(documents.stream().filter(d -> name.equals(at(d, "metadata", "name"))).toList(), kind);
    }

    /** Walks nested maps and lists: {@code at(deployment, "spec", "template", "spec", "containers", 0)}. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            if (current == null) {
                throw new AssertionError("nothing at " + List.of(path));
            }
            current = step instanceof Integer index ? ((List<Object>) current).get(index)
                    : ((Map<String, Object>) current).get(step);
        }
        return (T) current;
    }

    static Map<String, Object> container(Map<String, Object> deployment) {
        return at(deployment, "spec", "template", "spec", "containers", 0);
    }

    /** The container's environment: plain values as they are, secret references as {@code secret:<name>/<key>}. */
    static Map<String, String> environment(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        List<Map<String, Object>> entries = at(container, "env");
        for (Map<String, Object> entry : entries) {
            String name = (String) entry.get("name");
            if (entry.containsKey("value")) {
                env.put(name, String.valueOf(entry.get("value")));
            } else if (at(entry, "valueFrom") instanceof Map<?, ?> from && from.containsKey("fieldRef")) {
                env.put(name, "field:" + at(entry, "valueFrom", "fieldRef", "fieldPath"));
            } else {
                Map<String, Object> ref = at(entry, "valueFrom", "secretKeyRef");
                env.put(name, "secret:" + ref.get("name") + "/" + ref.get("key"));
            }
        }
        return env;
    }

    static int containerPort(Map<String, Object> container, String name) {
        List<Map<String, Object>> ports = at(container, "ports");
        return ports.stream().filter(p -> name.equals(p.get("name"))).map(p -> (Integer) p.get("containerPort"))
                .findFirst().orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    /** The environment variable that overrides a property (Camel's rule, as application.properties explains it). */
    static String environmentName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    static Properties applicationProperties() {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(PROJECT.resolve("application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    static String property(String key) {
        String value = applicationProperties().getProperty(key);
        if (value == null) {
            throw new AssertionError(key + " is not in application.properties");
        }
        return value.trim();
    }

    /** The connection-string properties the production profile requires, one per instance and namespace. */
    static TreeSet<String> connectionStringProperties() {
        TreeSet<String> keys = new TreeSet<>();
        for (String instance : property("xregion.webpubsub.instances").split(",")) {
            keys.add("xregion.webpubsub." + instance.trim() + ".connection-string");
        }
        keys.add("xregion.servicebus." + property("xregion.servicebus.primary") + ".connection-string");
        keys.add("xregion.servicebus." + property("xregion.servicebus.secondary") + ".connection-string");
        return keys;
    }

    /** The top-level route files, as Camel's routes-include-pattern finds them. */
    static TreeSet<String> routeFiles() {
        try (Stream<Path> files = Files.list(PROJECT.resolve("routes"))) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".camel.yaml")).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The paths the routes serve on the API port ({@code platform-http:/path}). */
    static TreeSet<String> servedPaths() {
        TreeSet<String> paths = new TreeSet<>();
        Pattern uri = Pattern.compile("platform-http:(/[^\\s\"?]*)");
        for (String file : routeFiles()) {
            Matcher matcher = uri.matcher(read(PROJECT.resolve("routes").resolve(file)));
            while (matcher.find()) {
                paths.add(matcher.group(1));
            }
        }
        return paths;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Dockerfile's instructions of one kind, in order ({@code EXPOSE}, {@code USER}, ...). */
    static List<String> dockerfile(String instruction) {
        return read(PROJECT.resolve("Dockerfile")).lines().map(String::trim)
                .filter(l -> l.startsWith(instruction + " ")).map(l -> l.substring(instruction.length() + 1).trim())
                .toList();
    }
}
