package io.xregion.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.drill.DrillParts;
import io.xregion.testing.NodeScript;
import io.xregion.testing.WsClient;

/**
 * The recommended install, started the way the region-loss drill starts it (each part its own OS process: the local
 * Azure's jar, the runner jar on the production profile per app server, redis-server), with the benchmark's clients
 * and publishers. With one app server it is eastus's, every instance's event handler points at it, and both regions'
 * clients and publishers use it.
 */
final class Install implements AutoCloseable {

    private static final List<String> REGIONS = List.of("eastus", "westus");

    private final InstallBenchmark.Options options;
    private final Path directory;
    private final List<DrillParts.Part> parts = new ArrayList<>();
    private final Map<String, DrillParts.Part> apps = new LinkedHashMap<>();
    private final Map<String, String> appUrls = new LinkedHashMap<>();
    private DrillParts.Part localAzure;
    private DrillParts.Part redis;
    private NodeScript clients;
    private long clientsPid = -1;
    private int clientCount;
    private int steps;
    /** Every message's Idempotency-Key is its publisher's name and sequence: unique to this run and step. */
    private final String run = Long.toString(System.currentTimeMillis(), 36);

    private Install(InstallBenchmark.Options options, Path directory) {
        this.options = options;
        this.directory = directory;
    }

    static Install start(int appServers, InstallBenchmark.Options options, Path directory, Path runnerJar)
            throws Exception {
        Files.createDirectories(directory);
        Install install = new Install(options, directory);
        try {
            install.startParts(appServers, DrillParts.Launcher.jars(runnerJar));
            install.startClients();
        } catch (Exception | Error e) {
            install.close();
            throw e;
        }
        return install;
    }

    private void startParts(int appServers, DrillParts.Launcher launcher) throws Exception {
        List<String> regions = REGIONS.subList(0, appServers);
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, Integer> managementPorts = new LinkedHashMap<>();
        for (String region : regions) {
            ports.put(region, DrillParts.freePort());
            managementPorts.put(region, DrillParts.freePort());
        }
        Map<String, Integer> eventHandlers = new LinkedHashMap<>();
        for (String region : REGIONS) {
            eventHandlers.put(region, ports.getOrDefault(region, ports.get(regions.get(0))));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("xregion.servicebus.dedup.store", options.store());
        if (options.store().equals("redis")) {
            int redisPort = DrillParts.freePort();
            redis = started(DrillParts.redis(directory, redisPort, 0));
            properties.put("xregion.servicebus.dedup.redis.endpoints", "redis://127.0.0.1:" + redisPort);
        }
        properties.putAll(options.appProperties());
        localAzure = started(DrillParts.localAzure(launcher, directory, eventHandlers, null));
        Map<String, CompletableFuture<DrillParts.Part>> starting = new LinkedHashMap<>();
        for (String region : regions) {
            starting.put(region, CompletableFuture.supplyAsync(() -> {
                try {
                    return DrillParts.app(launcher, directory, region, ports.get(region), managementPorts.get(region),
                            properties, 0);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        for (String region : regions) {
            apps.put(region, started(starting.get(region).join()));
        }
        for (String region : REGIONS) {
            appUrls.put(region, "http://127.0.0.1:" + eventHandlers.get(region));
        }
    }

    private void startClients() throws Exception {
        clientCount = REGIONS.size() * options.clientsPerRegion();
        String settings = WsClient.JSON.writeValueAsString(Map.of("apps", appUrls, "clients",
                options.clientsPerRegion()));
        clients = NodeScript.start(Duration.ofSeconds(90), "bench-clients.mjs", settings);
        for (int i = 0; i < clientCount; i++) {
            clients.awaitEvent("connected");
        }
        clientsPid = ProcessHandle.current().children().filter(p -> p.info().command().orElse("").endsWith("node"))
                .mapToLong(ProcessHandle::pid).max().orElse(-1);
    }

    private DrillParts.Part started(DrillParts.Part part) {
        parts.add(part);
        return part;
    }

    String describe() {
        StringBuilder text = new StringBuilder();
        apps.forEach((region, part) -> text.append(region).append(" app server pid ").append(part.pid())
                .append(", "));
        return text.append("clients negotiate at ").append(appUrls).toString();
    }

    /** The CPU seconds each part uses without traffic (probes, timers, idle receivers) over this long. */
    Map<String, Double> idle(double seconds) throws InterruptedException {
        Map<String, Double> before = cpu();
        Thread.sleep((long) (seconds * 1000));
        Map<String, Double> used = new LinkedHashMap<>();
        cpu().forEach((part, after) -> used.put(part, after - before.getOrDefault(part, after)));
        return used;
    }

    /** Traffic at the rate that is not reported (JIT, pools, connections), then its deliveries drained. */
    void warmUp(int rate, double seconds) throws Exception {
        runStep(rate, seconds, false);
    }

    InstallStep step(int rate, double seconds, boolean record) throws Exception {
        return runStep(rate, seconds, record);
    }

    private InstallStep runStep(int rate, double seconds, boolean record) throws Exception {
        String name = run + "s" + (steps++);
        Map<String, Double> cpuBefore = cpu();
        if (record) {
            jfr("JFR.start", "name=bench", "settings=profile", "filename=%s");
        }
        List<RatePublisher> publishers = new ArrayList<>();
        for (int i = 0; i < REGIONS.size(); i++) {
            String region = REGIONS.get(i);
            int share = rate / REGIONS.size() + (i < rate % REGIONS.size() ? 1 : 0);
            publishers.add(new RatePublisher(name + "-" + region, appUrls.get(region), share, seconds));
        }
        Thread.sleep((long) (seconds * 1000));
        for (RatePublisher publisher : publishers) {
            publisher.stop(Duration.ofSeconds(25));
        }
        if (record) {
            jfr("JFR.stop", "name=bench");
        }
        long publishedAt = System.nanoTime();
        awaitDelivered(publishers, Duration.ofSeconds(Math.max(30, (long) seconds)));
        double drainSeconds = (System.nanoTime() - publishedAt) / 1e9;
        Map<String, Double> cpuSeconds = new LinkedHashMap<>();
        cpu().forEach((part, after) -> cpuSeconds.put(part, after - cpuBefore.getOrDefault(part, after)));
        return measure(rate, publishers, drainSeconds, cpuSeconds);
    }

    /** Waits until every client has received every accepted message of these publishers, or the wait ran out. */
    private void awaitDelivered(List<RatePublisher> publishers, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            clients.command("count");
            JsonNode counts = clients.awaitEvent("counts").path("counts");
            boolean all = true;
            for (JsonNode client : counts) {
                for (RatePublisher publisher : publishers) {
                    all &= client.path(publisher.name).asInt() >= accepted(publisher);
                }
            }
            if (all) {
                return;
            }
            Thread.sleep(250);
        }
    }

    private InstallStep measure(int rate, List<RatePublisher> publishers, double drainSeconds,
            Map<String, Double> cpuSeconds) throws Exception {
        clients.command("report");
        List<JsonNode> reports = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            reports.add(clients.awaitEvent("client"));
        }
        clients.awaitEvent("reported");
        int published = 0;
        int accepted = 0;
        List<Double> publishMillis = new ArrayList<>();
        for (RatePublisher publisher : publishers) {
            published += publisher.published();
            for (int s = 0; s < publisher.published(); s++) {
                if (publisher.accepted(s)) {
                    accepted++;
                    publishMillis.add(publisher.answerMillis(s));
                }
            }
        }
        long[] latencies = new long[accepted * reports.size()];
        int n = 0;
        long missing = 0;
        long duplicates = 0;
        for (JsonNode report : reports) {
            duplicates += report.path("duplicates").asLong();
            for (RatePublisher publisher : publishers) {
                JsonNode received = report.path("received").path(publisher.name);
                for (int s = 0; s < publisher.published(); s++) {
                    if (!publisher.accepted(s)) {
                        continue;
                    }
                    long at = received.path(s).asLong();
                    if (at > 0) {
                        latencies[n++] = at - publisher.sentAt(s);
                    } else {
                        missing++;
                    }
                }
            }
        }
        return InstallStep.of(rate, published, accepted, published - accepted, java.util.Arrays.copyOf(latencies,
                n), missing, duplicates, publishMillis.stream().mapToDouble(Double::doubleValue).toArray(),
                drainSeconds, cpuSeconds);
    }

    private static int accepted(RatePublisher publisher) {
        int accepted = 0;
        for (int s = 0; s < publisher.published(); s++) {
            accepted += publisher.accepted(s) ? 1 : 0;
        }
        return accepted;
    }

    /** CPU seconds so far of every part. */
    private Map<String, Double> cpu() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        apps.forEach((region, part) -> cpu.put("app-" + region, ProcessCpu.seconds(part.pid())));
        cpu.put("local-azure", ProcessCpu.seconds(localAzure.pid()));
        if (redis != null) {
            cpu.put("redis", ProcessCpu.seconds(redis.pid()));
        }
        cpu.put("clients", ProcessCpu.seconds(clientsPid));
        cpu.put("publishers", ProcessCpu.seconds(ProcessHandle.current().pid()));
        return cpu;
    }

    /** A JFR command (jcmd) on every app server and the local Azure; %s in an argument is its recording's file. */
    private void jfr(String command, String... arguments) throws Exception {
        Map<String, DrillParts.Part> recorded = new LinkedHashMap<>();
        apps.forEach((region, part) -> recorded.put("app-" + region, part));
        recorded.put("local-azure", localAzure);
        for (Map.Entry<String, DrillParts.Part> entry : recorded.entrySet()) {
            List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                    .toString(), Long.toString(entry.getValue().pid()), command));
            Path file = directory.resolve(entry.getKey() + ".jfr");
            for (String argument : arguments) {
                line.add(argument.replace("%s", file.toString()));
            }
            Process jcmd = new ProcessBuilder(line).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("jcmd.log").toFile())).start();
            if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + command + " failed for " + entry.getKey());
            }
            if (command.equals("JFR.stop")) {
                System.out.println("  JFR: " + file);
            }
        }
    }

    @Override
    public void close() {
        if (clients != null) {
            try {
                clients.command("stop");
            } catch (IOException e) {
                // gone already
            }
            clients.close();
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
            parts.get(i).stop(20);
        }
    }
}
