package io.xregion.drill;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.HttpCalls;

/**
 * The region-loss drill (docs/region-loss-drill.md; issue 10): two regions, each with its own app server (own
 * process, production profile), Web PubSub instance and Service Bus namespace from the standalone local Azure, Redis
 * shared; M official JS clients per region, one publisher per region; then the whole of eastus is lost at once
 * ({@code kill -9} of its app server, its instance and namespace down) and later restored. Prints the report as a
 * table and writes it as JSON under the output directory.
 *
 * <pre>
 *   mvn -q -Pdrill test-compile exec:exec [-Ddrill.args="store=redis protocol=reliable clients=50 ..."]
 * </pre>
 */
public final class RegionLossDrill {

    static final String EAST = "eastus";
    static final String WEST = "westus";
    private static final Pattern INSTANCE_UP = Pattern.compile(
            "xregion_webpubsub_instance_up\\{[^}]*instance=\"([a-z0-9-]+)\"[^}]*\\}\\s+([0-9.]+)");
    private static final Pattern OUTBOX_DEPTH = Pattern.compile("xregion_servicebus_outbox_depth(\\{[^}]*\\})?\\s+"
            + "([0-9.E]+)");

    private final DrillOptions options;
    private final DrillParts.Launcher launcher;
    private final Path directory;
    private final Timeline timeline = new Timeline();
    private final List<DrillParts.Part> parts = new ArrayList<>();

    /** The moments of the scenario, epoch ms (0: did not happen). */
    static final class Timeline {
        volatile long trafficStarted;
        volatile long lost;
        volatile long detected;
        volatile long restored;
        volatile long eastReady;
        volatile long publishersStopped;
        volatile long reported;
        volatile long strandedDrained;
    }

    RegionLossDrill(DrillOptions options, DrillParts.Launcher launcher) {
        this.options = options;
        this.launcher = launcher;
        this.directory = options.output().resolve(options.variant() + "-" + DateTimeFormatter
                .ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())).toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("help") || args[0].equals("--help"))) {
            System.out.println(DrillOptions.USAGE);
            return;
        }
        DrillOptions options;
        try {
            options = DrillOptions.parse(Arrays.stream(args).flatMap(a -> Arrays.stream(a.split("\\s+"))).toList());
        } catch (IllegalArgumentException e) {
            System.err.println("drill: " + e.getMessage());
            System.exit(2);
            return;
        }
        DrillReport report = new RegionLossDrill(options, DrillParts.Launcher.fromClasspath()).run();
        System.out.println(report.table());
        System.out.println("report: " + report.file());
        System.exit(0);
    }

    /** Runs the whole scenario and writes the report. */
    DrillReport run() throws Exception {
        Files.createDirectories(directory);
        String run = Long.toString(System.currentTimeMillis(), 36);
        Map<String, Integer> appPorts = Map.of(EAST, DrillParts.freePort(), WEST, DrillParts.freePort());
        Map<String, Integer> managementPorts = Map.of(EAST, DrillParts.freePort(), WEST, DrillParts.freePort());
        int redisPort = DrillParts.freePort();
        Map<String, String> appProperties = appProperties(redisPort);
        DrillReport.Builder report = new DrillReport.Builder(options, directory, appliedSettings(appProperties));
        DrillParts.Part redis = null;
        DrillParts.Part east = null;
        ClientFleet clients = null;
        List<Publisher> publishers = new ArrayList<>();
        try {
            if (options.store().equals("redis")) {
                redis = started(DrillParts.redis(directory, redisPort, 0));
            }
            started(DrillParts.localAzure(launcher, directory, appPorts, options.lockMillis()));
            String control = DrillParts.controlUrl(directory);
            log("local Azure up, control API " + control);
            CompletableFuture<DrillParts.Part> eastStart = CompletableFuture.supplyAsync(() -> app(EAST, appPorts,
                    managementPorts, appProperties, 0));
            DrillParts.Part west = started(app(WEST, appPorts, managementPorts, appProperties, 0));
            east = started(eastStart.join());
            log("both app servers ready");

            Map<String, String> apps = new LinkedHashMap<>();
            apps.put(EAST, "http://127.0.0.1:" + appPorts.get(EAST));
            apps.put(WEST, "http://127.0.0.1:" + appPorts.get(WEST));
            clients = ClientFleet.start(apps, options.clients(), options.protocol(), options.client(),
                    directory.resolve("clients.log"));
            int all = 2 * options.clients();
            ClientFleet fleet = clients;
            if (!clients.awaitLines(Duration.ofSeconds(60 + all / 10), l -> connectedClients(l) >= all)) {
                throw new IllegalStateException("only " + connectedClients(fleet.events("connected"))
                        + " of " + all + " clients connected");
            }
            log(all + " clients connected");

            // each region's publisher behind a global front: its own region first, the other one when that fails
            for (String region : List.of(EAST, WEST)) {
                String other = region.equals(EAST) ? WEST : EAST;
                publishers.add(new Publisher(List.of(region, other), List.of(apps.get(region), apps.get(other)), run,
                        Duration.ofMillis(options.publishTryMillis())));
            }
            timeline.trafficStarted = System.currentTimeMillis();
            publishers.forEach(p -> p.start(options.rate()));
            // the first seconds of traffic on fresh JVMs are not the steady state: the drill of 2026-12-06 saw receipts
            // fall behind for about 25 s (the local Azure and the clients' node process compiling their hot paths;
            // an app server restarted later into the warm install did not do that), then catch up
            long start = Math.min(40, options.warmupSeconds() / 2);
            pause(Duration.ofSeconds(start));
            clients.command("mark steady");
            pause(Duration.ofSeconds(options.warmupSeconds() - start));
            if (redis != null) {
                report.redisKeysBeforeLoss(DrillParts.redisCommand(redisPort, "DBSIZE"));
            }

            // the whole of eastus at once: down (refused, reset) or partitioned (silent)
            clients.command("mark lost");
            timeline.lost = System.currentTimeMillis();
            boolean partition = options.loss().equals("partition");
            if (partition) {
                east.freeze();
            } else {
                east.kill();
            }
            post(control + "/webpubsub/eastus/" + options.loss());
            post(control + "/servicebus/eastus/" + options.loss());
            if (options.redisLost() && redis != null) {
                redis.kill();
            }
            log("eastus lost (app server pid " + east.pid() + (partition ? " frozen, instance and namespace "
                    + "partitioned" : " killed, instance and namespace down") + (options.redisLost()
                    ? ", Redis killed" : "") + ")");
            String westMetrics = "http://127.0.0.1:" + managementPorts.get(WEST) + "/observe/metrics";
            CompletableFuture<Void> detection = CompletableFuture.runAsync(() -> awaitDetection(westMetrics));
            pauseUntil(timeline.lost + options.outageSeconds() * 1000L);
            detection.join();

            // restore: Redis (empty, if it was lost), the namespace and the instance, then the app server
            JsonNode before = HttpCalls.get(control + "/state").json();
            int stranded = entityMessages(before.at("/servicebus/eastus/entities"));
            report.stranded(stranded);
            if (options.redisLost()) {
                redis = started(DrillParts.redis(directory, redisPort, 1));
            }
            if (partition) {
                // the frozen app server is replaced, as a dead one is
                east.kill();
            }
            post(control + "/servicebus/eastus/up");
            post(control + "/webpubsub/eastus/up");
            timeline.restored = System.currentTimeMillis();
            clients.command("mark restored");
            log("eastus namespace and instance up; " + stranded + " stranded copies in the namespace");
            CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> awaitStrandedDrained(control));
            east = started(app(EAST, appPorts, managementPorts, appProperties, 1));
            timeline.eastReady = System.currentTimeMillis();
            report.eastOutboxAfterRestart(outboxDepth("http://127.0.0.1:" + managementPorts.get(EAST)
                    + "/observe/metrics"));
            log("eastus app server restarted (outbox kept)");
            pauseUntil(timeline.restored + options.settleSeconds() * 1000L);

            for (Publisher publisher : publishers) {
                publisher.stop(Duration.ofSeconds(25));
            }
            timeline.publishersStopped = System.currentTimeMillis();
            log("publishers stopped; waiting " + options.drainSeconds() + " s for deliveries on their way");
            pause(Duration.ofSeconds(options.drainSeconds()));
            drain.cancel(true);
            if (redis != null) {
                report.redisKeysAtEnd(DrillParts.redisCommand(redisPort, "DBSIZE"));
            }
            List<JsonNode> clientReports = clients.report(Duration.ofSeconds(60));
            timeline.reported = System.currentTimeMillis();
            report.clients(clientReports, clients.firstReceived(), clients.events("connected"),
                    clients.events("disconnected"));
            report.latency(clients.latency());
            JsonNode end = HttpCalls.get(control + "/state").json();
            report.leftInServiceBus(entityMessages(end.at("/servicebus/eastus/entities")),
                    entityMessages(end.at("/servicebus/westus/entities")));
            writeEvents(clients);
            report.publishers(publishers);
            report.westStillDelivering(west.alive());
            DrillReport done = report.build(timeline);
            done.write();
            return done;
        } finally {
            publishers.forEach(Publisher::close);
            if (clients != null) {
                clients.close();
            }
            for (int i = parts.size() - 1; i >= 0; i--) {
                parts.get(i).stop(20);
            }
        }
    }

    /** The clients' connects and disconnects, one JSON line each, for a closer look. */
    private void writeEvents(ClientFleet clients) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String event : List.of("connected", "disconnected", "start-failed")) {
            clients.events(event).forEach(e -> lines.add(e.toString()));
        }
        Files.write(directory.resolve("client-events.jsonl"), lines);
    }

    private DrillParts.Part app(String region, Map<String, Integer> ports, Map<String, Integer> management,
            Map<String, String> properties, int start) {
        try {
            return DrillParts.app(launcher, directory, region, ports.get(region), management.get(region),
                    properties, start);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The store and any app.* options, as both app servers get them. */
    private Map<String, String> appProperties(int redisPort) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("xregion.servicebus.dedup.store", options.store());
        if (options.store().equals("redis")) {
            properties.put("xregion.servicebus.dedup.redis.endpoints", "redis://127.0.0.1:" + redisPort);
            if (options.holdMs() != null) {
                properties.put("xregion.servicebus.dedup.redis.hold-ms", Long.toString(options.holdMs()));
            }
        }
        properties.putAll(options.appProperties());
        return properties;
    }

    /** The properties the app servers used: application.properties, then what the drill passed. */
    private static Map<String, String> appliedSettings(Map<String, String> overrides) throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application.properties"))) {
            shipped.load(in);
        }
        Map<String, String> applied = new LinkedHashMap<>();
        shipped.stringPropertyNames().forEach(k -> applied.put(k, shipped.getProperty(k).strip()));
        applied.putAll(overrides);
        return applied;
    }

    private DrillParts.Part started(DrillParts.Part part) {
        parts.add(part);
        return part;
    }

    private void awaitDetection(String metricsUrl) {
        long deadline = timeline.lost + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                Matcher up = INSTANCE_UP.matcher(HttpCalls.get(metricsUrl).body());
                while (up.find()) {
                    if (up.group(1).equals(EAST) && Double.parseDouble(up.group(2)) == 0) {
                        timeline.detected = System.currentTimeMillis();
                        log("westus marked eastus DOWN after " + (timeline.detected - timeline.lost) + " ms");
                        return;
                    }
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // a scrape that failed: try again
            }
        }
    }

    private void awaitStrandedDrained(String control) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (entityMessages(HttpCalls.get(control + "/state").json().at("/servicebus/eastus/entities"))
                        == 0) {
                    timeline.strandedDrained = System.currentTimeMillis();
                    return;
                }
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the control API busy: try again
            }
        }
    }

    /** Messages in a namespace's entities, waiting or locked. */
    private static int entityMessages(JsonNode entities) {
        int messages = 0;
        for (JsonNode entity : entities) {
            messages += entity.path("depth").asInt() + entity.path("locked").asInt();
        }
        return messages;
    }

    private static Double outboxDepth(String metricsUrl) {
        try {
            Matcher depth = OUTBOX_DEPTH.matcher(HttpCalls.get(metricsUrl).body());
            return depth.find() ? Double.parseDouble(depth.group(2)) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int connectedClients(List<JsonNode> lines) {
        return (int) lines.stream().filter(l -> "connected".equals(l.path("event").asText()))
                .map(l -> l.path("client").asInt()).distinct().count();
    }

    private static void post(String url) {
        HttpCalls.Answer answer = HttpCalls.post(url, null, null);
        if (answer.status() != 200) {
            throw new IllegalStateException(url + " answered " + answer.status() + ": " + answer.body());
        }
    }

    private static void pause(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    private static void pauseUntil(long epochMillis) throws InterruptedException {
        long left = epochMillis - System.currentTimeMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    static void log(String message) {
        System.out.printf("drill %s %s%n", DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC)
                .format(Instant.now()), message);
    }
}
