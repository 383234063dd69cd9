package io.xregion.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recommended install under traffic, end to end: the standalone local Azure (its jar, local-azure.properties),
 * one or two app servers (the runner jar, production profile, each its own JVM; eastus and westus, each primary for
 * its own Web PubSub instance and Service Bus namespace, both reading both namespaces, active replication), the Redis
 * duplicate store (redis-server on a free port), one official @azure/web-pubsub-client json client per region (node)
 * and one publisher per region POSTing /publish. For each number of app servers it steps the total rate up and prints
 * the end-to-end latency (publish sent, to the client's receipt) p50/p99 over every client and every message of the
 * step, the publishes' own latency, what went missing, the CPU each process used per message, and the highest rate
 * held at p99 within the target.
 *
 * <pre>
 *   mvn -q -DskipTests package          # the jars it runs
 *   mvn -q -Pbench test-compile exec:java -Dmain.class=io.xregion.bench.InstallBenchmark
 * </pre>
 *
 * Environment: BENCH_RATES (total msg/s, default 20,50,100,150,200), BENCH_STEP_SECONDS (20), BENCH_WARMUP_SECONDS
 * and BENCH_WARMUP_RATE (30 s at 50 msg/s, not reported: the JIT compiles the hot paths), BENCH_APP_SERVERS (1,2), BENCH_CLIENTS (per region, 1), BENCH_STORE (redis or
 * memory), BENCH_TARGET_P99_MS (500), BENCH_GIVE_UP_P99_MS (5000: no higher step once one is this slow),
 * BENCH_PROPERTIES (key=value,... for every app server), BENCH_JFR_RATE (a rate whose step is recorded with JFR,
 * settings=profile, on every app server and the local Azure), BENCH_OUTPUT (target/bench-install).
 */
public final class InstallBenchmark {

    record Options(List<Integer> rates, double stepSeconds, double warmupSeconds, int warmupRate,
            List<Integer> appServers,
            int clientsPerRegion, String store, double targetP99Millis, double giveUpP99Millis,
            Map<String, String> appProperties, Integer jfrRate, Path output) {

        static Options fromEnvironment() {
            Map<String, String> env = System.getenv();
            Map<String, String> properties = new LinkedHashMap<>();
            for (String pair : env.getOrDefault("BENCH_PROPERTIES", "").split(",")) {
                if (pair.contains("=")) {
                    properties.put(pair.substring(0, pair.indexOf('=')).strip(),
                            pair.substring(pair.indexOf('=') + 1).strip());
                }
            }
            String jfr = env.getOrDefault("BENCH_JFR_RATE", "");
            return new Options(ints(env.getOrDefault("BENCH_RATES", "20,50,100,150,200")),
                    Double.parseDouble(env.getOrDefault("BENCH_STEP_SECONDS", "20")),
                    Double.parseDouble(env.getOrDefault("BENCH_WARMUP_SECONDS", "30")),
                    Integer.parseInt(env.getOrDefault("BENCH_WARMUP_RATE", "50")),
                    ints(env.getOrDefault("BENCH_APP_SERVERS", "1,2")),
                    Integer.parseInt(env.getOrDefault("BENCH_CLIENTS", "1")), env.getOrDefault("BENCH_STORE",
                            "redis"), Double.parseDouble(env.getOrDefault("BENCH_TARGET_P99_MS", "500")),
                    Double.parseDouble(env.getOrDefault("BENCH_GIVE_UP_P99_MS", "5000")), properties,
                    jfr.isBlank() ? null : Integer.valueOf(jfr.strip()), Path.of(env.getOrDefault("BENCH_OUTPUT",
                            "target/bench-install")));
        }

        private static List<Integer> ints(String list) {
            return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Integer::valueOf)
                    .toList();
        }
    }

    private InstallBenchmark() {
    }

    public static void main(String[] args) {
        int status = 0;
        try {
            run(Options.fromEnvironment());
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    private static void run(Options options) throws Exception {
        Path runnerJar = Path.of("target/xregion-0.1.0-SNAPSHOT-runner.jar");
        Path localAzureJar = Path.of("target/xregion-0.1.0-SNAPSHOT-local-azure.jar");
        if (!Files.isRegularFile(runnerJar) || !Files.isRegularFile(localAzureJar)) {
            throw new IllegalStateException("build the jars first: mvn -q -DskipTests package");
        }
        Path directory = options.output().resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC).format(Instant.now())).toAbsolutePath();
        Files.createDirectories(directory);
        System.out.printf("xregion install benchmark: %d cores, load average %s, runner jar of %s; store %s, %d json "
                + "client(s) per region, %.0f s per step after %.0f s of warm-up at %d msg/s; logs in %s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), Files.getLastModifiedTime(runnerJar),
                options.store(), options.clientsPerRegion(), options.stepSeconds(), options.warmupSeconds(),
                options.warmupRate(), directory);
        Map<Integer, List<InstallStep>> results = new LinkedHashMap<>();
        for (int appServers : options.appServers()) {
            List<InstallStep> steps = new ArrayList<>();
            results.put(appServers, steps);
            try (Install install = Install.start(appServers, options, directory.resolve(appServers + "-app"),
                    runnerJar)) {
                System.out.println();
                System.out.println(appServers + " app server(s): " + install.describe());
                install.warmUp(options.warmupRate(), options.warmupSeconds());
                StringBuilder idle = new StringBuilder("  after the warm-up, without traffic, CPU s over 10 s:");
                install.idle(10).forEach((part, used) -> idle.append(String.format(" %s %.2f", part, used)));
                System.out.println(idle);
                System.out.println(InstallStep.HEADER);
                for (int rate : options.rates()) {
                    InstallStep step = install.step(rate, options.stepSeconds(),
                            options.jfrRate() != null && options.jfrRate() == rate);
                    steps.add(step);
                    System.out.println(step.row());
                    step.cpuLine().ifPresent(System.out::println);
                    if (step.p99Millis() > options.giveUpP99Millis()) {
                        System.out.printf("  (no higher rate: p99 above %.0f ms)%n", options.giveUpP99Millis());
                        break;
                    }
                }
            }
        }
        System.out.println();
        System.out.printf("summary: highest total rate held with e2e p99 <= %.0f ms, nothing missing or refused; "
                + "load average now %s%n", options.targetP99Millis(), loadAverage());
        for (Map.Entry<Integer, List<InstallStep>> entry : results.entrySet()) {
            String held = entry.getValue().stream().filter(s -> s.held(options.targetP99Millis()))
                    .mapToInt(InstallStep::rate).max().stream().mapToObj(r -> r + " msg/s").findFirst()
                    .orElse("none of the rates");
            String at = entry.getValue().stream().map(s -> String.format("%d: %s/%s", s.rate(),
                    InstallStep.millis(s.p50Millis()), InstallStep.millis(s.p99Millis()))).reduce((a, b) -> a + ", "
                            + b).orElse("");
            System.out.printf("  %d app server(s): %s   (rate: p50/p99 ms  %s)%n", entry.getKey(), held, at);
        }
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (Exception e) {
            return "?";
        }
    }

    static Duration seconds(double seconds) {
        return Duration.ofMillis((long) (seconds * 1000));
    }
}
