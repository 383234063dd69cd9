package io.xregion.drill;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.xregion.testing.HttpCalls;

/**
 * The drill's parts, each an OS process of its own: the standalone local Azure, one app server per region (production
 * profile) and Redis. Java mains start either from a classpath (the drill command: the project's test classpath) or
 * from the packaged jars (the IT).
 */
public final class DrillParts {

    /** How a Java main starts: from a classpath, or from its packaged jar. */
    public record Launcher(String classpath, Path runnerJar, Path localAzureJar) {

        public static Launcher fromClasspath() {
            return new Launcher(System.getProperty("java.class.path"), null, null);
        }

        public static Launcher jars(Path runnerJar) {
            return new Launcher(null, runnerJar, Path.of(runnerJar.toString().replace("-runner.jar",
                    "-local-azure.jar")));
        }

        List<String> java(String mainClass, List<String> jvmOptions) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx384m");
            command.add("-XX:+UseSerialGC");
            command.addAll(jvmOptions);
            if (classpath != null) {
                command.addAll(List.of("-cp", classpath, mainClass));
            } else {
                Path jar = mainClass.equals(LOCAL_AZURE) ? localAzureJar : runnerJar;
                command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
            }
            return command;
        }
    }

    /** One running part: its process and its log. */
    public static final class Part {
        public final String name;
        public final Path log;
        private final Process process;

        Part(String name, Path log, Process process) {
            this.name = name;
            this.log = log;
            this.process = process;
        }

        public boolean alive() {
            return process.isAlive();
        }

        public long pid() {
            return process.pid();
        }

        /** kill -9 (Process.destroyForcibly is SIGKILL on Linux). */
        public void kill() {
            process.destroyForcibly();
            waitFor(10);
        }

        /**
         * SIGSTOP: the process is frozen, its sockets stay open and the kernel still accepts connections on its
         * ports, but nothing answers (a host cut off by a partition, from the outside). {@link #kill} still works.
         */
        void freeze() {
            try {
                Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).start();
                if (!stop.waitFor(10, TimeUnit.SECONDS) || stop.exitValue() != 0) {
                    throw new IllegalStateException("kill -STOP " + process.pid() + " failed");
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** SIGTERM, then SIGKILL after the grace. */
        public void stop(int graceSeconds) {
            process.destroy();
            if (!waitFor(graceSeconds)) {
                kill();
            }
        }

        private boolean waitFor(int seconds) {
            try {
                return process.waitFor(seconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        public String tail() {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    static final String LOCAL_AZURE = "io.xregion.emulator.LocalAzure";
    static final String APP = "io.xregion.XRegionApp";
    static final List<String> REGIONS = List.of("eastus", "westus");

    private DrillParts() {
    }

    /** The local Azure with the shipped file, every port free, event handlers at the app servers' ports. */
    public static Part localAzure(Launcher launcher, Path directory, Map<String, Integer> appPorts, Integer lockMillis)
            throws IOException {
        List<String> command = new ArrayList<>(launcher.java(LOCAL_AZURE, List.of()));
        command.add(Path.of("local-azure.properties").toAbsolutePath().toString());
        for (String region : REGIONS) {
            command.add("webpubsub." + region + ".port=0");
            command.add("servicebus." + region + ".port=0");
            command.add("webpubsub." + region + ".event-handler-url=http://127.0.0.1:" + appPorts.get(region)
                    + "/eventhandler");
        }
        if (lockMillis != null) {
            command.add("servicebus.lock-duration-ms=" + lockMillis);
        }
        command.add("control.port=0");
        command.add("output.directory=" + directory.resolve("local-azure").toAbsolutePath());
        Part part = start("local-azure", command, Map.of(), directory);
        await("the local Azure's secrets", Duration.ofSeconds(60), part,
                () -> Files.isDirectory(directory.resolve("local-azure/secrets")));
        return part;
    }

    static Path secrets(Path directory) {
        return directory.resolve("local-azure/secrets").toAbsolutePath();
    }

    public static String controlUrl(Path directory) throws IOException {
        return Files.readString(directory.resolve("local-azure/control-url")).strip();
    }

    /**
     * An app server of one region, production profile, primary for its own Web PubSub instance and Service Bus
     * namespace, reading both namespaces; xregion.* properties as environment variables, camel.* as -D.
     */
    public static Part app(Launcher launcher, Path directory, String region, int port, int managementPort,
            Map<String, String> properties, int start) throws IOException {
        String other = REGIONS.stream().filter(r -> !r.equals(region)).findFirst().orElseThrow();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("xregion.secrets.directory", secrets(directory).toString());
        settings.put("xregion.webpubsub.primary", region);
        settings.put("xregion.servicebus.primary", region);
        settings.put("xregion.servicebus.secondary", other);
        settings.put("xregion.servicebus.outbox.directory", directory.resolve("outbox-" + region).toAbsolutePath()
                .toString());
        // the drill's clients negotiate anonymously for the user ids they name, all from this one machine's address
        settings.put("xregion.webpubsub.negotiate.allow-anonymous", "true");
        settings.put("xregion.webpubsub.negotiate.rate-limit.per-address", "0");
        settings.put("xregion.webpubsub.negotiate.rate-limit.per-user", "0");
        settings.putAll(properties);
        List<String> jvm = new ArrayList<>(List.of("-Dcamel.server.port=" + port,
                "-Dcamel.management.port=" + managementPort));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CAMEL_MAIN_PROFILE", "prod");
        settings.forEach((key, value) -> {
            if (key.startsWith("camel.")) {
                jvm.add("-D" + key + "=" + value);
            } else {
                env.put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), value);
            }
        });
        Part part = start("app-" + region + "-" + start, launcher.java(APP, jvm), env, directory);
        // ready, and its own API on its port (not a server of someone else's that took the port)
        await(region + "'s app server ready", Duration.ofSeconds(120), part,
                () -> status("http://127.0.0.1:" + managementPort + "/observe/health/ready") == 200
                        && status("http://127.0.0.1:" + port + "/negotiate?userId=drill-check") == 200);
        return part;
    }

    /** redis-server on 127.0.0.1:port, no persistence. */
    public static Part redis(Path directory, int port, int start) throws IOException {
        Part part = start("redis-" + start, List.of("/usr/bin/redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"), Map.of(),
                directory);
        await("redis-server", Duration.ofSeconds(20), part, () -> redisCommand(port, "PING").startsWith("+PONG"));
        return part;
    }

    /** One inline Redis command and its first answer line ("" when Redis does not answer). */
    static String redisCommand(int port, String command) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString().strip();
        } catch (IOException e) {
            return "";
        }
    }

    static int status(String url) {
        try {
            return HttpCalls.call("GET", url, Map.of(), null).status();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    /**
     * A free port below Linux's ephemeral range (32768 and up): a port picked there and freed again can be taken by
     * anyone's outgoing connection before the app server binds it, and Camel 4.17's platform-http only logs a failed
     * bind (the app then runs, ready, without its API); the drill's app servers keep their ports across a restart.
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            if (TAKEN.add(port)) {
                try (ServerSocket socket = new ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
                    return socket.getLocalPort();
                } catch (IOException e) {
                    // taken: try another
                }
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }

    private static final java.util.Set<Integer> TAKEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static Part start(String name, List<String> command, Map<String, String> env, Path directory)
            throws IOException {
        Path log = directory.resolve(name + ".log").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("XREGION_") || k.startsWith("CAMEL_"));
        builder.environment().putAll(env);
        return new Part(name, log, builder.start());
    }

    private static void await(String what, Duration atMost, Part part, BooleanSupplier done) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (!part.alive()) {
                throw new IllegalStateException(part.name + " exited while waiting for " + what + ":\n" + part.tail());
            }
            if (done.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no " + what + " within " + atMost + ":\n" + part.tail());
    }
}
