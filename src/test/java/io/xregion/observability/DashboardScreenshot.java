package io.xregion.observability;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.AppServerProcess;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RedisServer;
import org.awaitility.Awaitility;

/**
 * The picture of the Grafana dashboard in docs/observability.md, without Grafana (it is not packaged here): two app
 * servers (eastus, westus; production profile, the redis duplicate store) on the local Azure, a real Prometheus
 * scraping both every few seconds, traffic (publishes, negotiations, a chatty user over its rate limit, a bad request, one
 * message no one can process), eastus's Web PubSub instance down for a while and back; then each panel's queries of
 * observability/grafana/xregion.json, run against that Prometheus over the time of the run, drawn by
 * {@link DashboardPage} and screenshotted by headless Chromium.
 *
 * <pre>mvn -q -Pdashboard test-compile exec:exec</pre>
 *
 * Writes docs/images/dashboard.png (or the path given as the first argument) and target/dashboard-screenshot/ (the
 * page, Prometheus' configuration, data and log, the app servers' logs). About three minutes.
 */
public final class DashboardScreenshot {

    private static final Duration PHASE = Duration.ofSeconds(Long.parseLong(
            System.getenv().getOrDefault("DASHBOARD_PHASE_SECONDS", "60")));
    private static final Path WORK = Path.of("target", "dashboard-screenshot");
    private static final Path CHROMIUM = Path.of(System.getProperty("xregion.chromium", "/usr/bin/chromium"));

    private DashboardScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path output = Path.of(args.length > 0 ? args[0] : "docs/images/dashboard.png");
        for (Path executable : List.of(LocalPrometheus.EXECUTABLE, CHROMIUM)) {
            if (!Files.isExecutable(executable)) {
                throw new IllegalStateException(executable + " is missing: apt-get install prometheus chromium");
            }
        }
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        List<DashboardPage.Marker> markers = new ArrayList<>();
        try (ExternalServices services = new ExternalServices(); RedisServer redis = RedisServer.start()) {
            CompletableFuture<AppServerProcess> east = CompletableFuture.supplyAsync(() -> start("eastus", services, redis));
            CompletableFuture<AppServerProcess> west = CompletableFuture.supplyAsync(() -> start("westus", services, redis));
            try (AppServerProcess eastus = east.join(); AppServerProcess westus = west.join();
                    LocalPrometheus prometheus = LocalPrometheus.start(Map.of(
                            "eastus-0", hostPort(eastus.managementUrl("")), "westus-0", hostPort(westus.managementUrl(""))),
                            WORK.resolve("prometheus"))) {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> prometheus.allTargetsUp(2));
                Instant start = Instant.now();
                AtomicBoolean running = new AtomicBoolean(true);
                Thread traffic = new Thread(() -> traffic(List.of(eastus, westus), running), "traffic");
                traffic.setDaemon(true);
                traffic.start();

                pause(PHASE.dividedBy(2));
                deadLetter(services);
                markers.add(new DashboardPage.Marker(Instant.now(), "a message dead-lettered"));
                pause(PHASE.dividedBy(2));
                services.eastWebPubSub.down();
                markers.add(new DashboardPage.Marker(Instant.now(), "eastus instance down"));
                System.out.println("eastus's Web PubSub instance is down");
                pause(PHASE);
                services.eastWebPubSub.up();
                markers.add(new DashboardPage.Marker(Instant.now(), "eastus instance back"));
                System.out.println("eastus's Web PubSub instance is back");
                pause(PHASE);
                running.set(false);
                traffic.join(10_000);
                pause(LocalPrometheus.SCRAPE_INTERVAL.multipliedBy(2));
                Instant end = Instant.now();

                JsonNode dashboard = ObservabilityFiles.dashboard();
                Map<Integer, List<DashboardPage.Answer>> answers = new LinkedHashMap<>();
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        String query = ObservabilityFiles.withGrafanaVariables(target.path("expr").asText(),
                                LocalPrometheus.RATE_INTERVAL);
                        JsonNode series = prometheus.range(query, start, end, LocalPrometheus.SCRAPE_INTERVAL);
                        answers.computeIfAbsent(panel.path("id").asInt(), k -> new ArrayList<>())
                                .add(new DashboardPage.Answer(target, series));
                        System.out.printf("%-55s %s: %d series%n", panel.path("title").asText(),
                                target.path("refId").asText(), series.size());
                    }
                }
                JsonNode alerts = prometheus.range("ALERTS", start, end, LocalPrometheus.SCRAPE_INTERVAL);
                for (JsonNode alert : alerts) {
                    System.out.println("alert during the run: " + alert.path("metric"));
                }
                String caption = "The panels' PromQL from observability/grafana/xregion.json, run against a real "
                        + "Prometheus (not Grafana) scraping two app servers (eastus, westus) on the local Azure every "
                        + LocalPrometheus.SCRAPE_INTERVAL.toSeconds() + " s, on a loaded machine (a hole: scrapes that took longer): traffic, a dead-lettered message, eastus's Web PubSub instance down and back. "
                        + "Drawn by DashboardScreenshot.";
                Path page = WORK.resolve("dashboard.html");
                Files.writeString(page, new DashboardPage(dashboard, start, end, LocalPrometheus.SCRAPE_INTERVAL, markers).html(answers, caption));
                screenshot(page, output, dashboard);
                System.out.println("wrote " + output + " (page: " + page + ")");
            }
        }
        System.exit(0);
    }

    private static AppServerProcess start(String region, ExternalServices services, RedisServer redis) {
        Map<String, String> settings = new LinkedHashMap<>(services.productionSettings());
        // probes that a loaded machine (this one runs other work too) does not time out: only the instance taken
        // down goes DOWN
        settings.put("xregion.webpubsub.health.timeout-ms", "3000");
        settings.put("xregion.webpubsub.health.failure-threshold", "3");
        settings.put("xregion.servicebus.health.timeout-ms", "3000");
        settings.put("xregion.servicebus.health.failure-threshold", "3");
        settings.put("xregion.webpubsub.primary", region);
        settings.put("xregion.servicebus.dedup.store", "redis");
        settings.put("xregion.servicebus.dedup.redis.endpoints", redis.url());
        settings.put("xregion.servicebus.dedup.redis.owner", region + "-0");
        settings.put("xregion.servicebus.outbox.directory", WORK.resolve(region + "-outbox").toAbsolutePath().toString());
        settings.put("xregion.leadership.file.root", WORK.resolve(region + "-leadership").toAbsolutePath().toString());
        // a rate limit per user that the chatty user below runs into
        settings.put("xregion.webpubsub.negotiate.rate-limit.per-user", "20");
        settings.put("xregion.webpubsub.negotiate.rate-limit.window-seconds", "10");
        try {
            return AppServerProcess.start(settings, "dashboard-screenshot/" + region, Duration.ofSeconds(120));
        } catch (Exception e) {
            throw new IllegalStateException(region + " did not start", e);
        }
    }

    /**
     * About 10 publishes a second to the two app servers in turn, 5 negotiations a second to each, a user who
     * negotiates 4 times a second (over its limit of 20 in 10 s: 429) and now and then a negotiate for an unknown home
     * (400).
     */
    private static void traffic(List<AppServerProcess> apps, AtomicBoolean running) {
        AtomicInteger n = new AtomicInteger();
        while (running.get()) {
            int i = n.incrementAndGet();
            AppServerProcess app = apps.get(i % 2);
            try {
                HttpCalls.post(app.url("/publish"), "application/json", "{\"n\":" + i + "}");
                if (i % 2 == 0) {
                    HttpCalls.get(app.url("/negotiate?userId=user-" + (i % 50)));
                    HttpCalls.get(apps.get((i + 1) % 2).url("/negotiate?userId=user-" + (i % 50)));
                }
                if (i % 3 == 0) {
                    HttpCalls.get(apps.get(0).url("/negotiate?userId=chatty"));
                }
                if (i % 20 == 0) {
                    HttpCalls.get(app.url("/negotiate?userId=lost&home=nowhere"));
                }
            } catch (RuntimeException e) {
                // an app server busy or a connection refused: the picture shows what the meters saw
            }
            pause(Duration.ofMillis(100));
        }
    }

    /** A message from another producer whose body is not the JSON its content type says: dead-lettered. */
    private static void deadLetter(ExternalServices services) {
        try (ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                .connectionString(services.eastServiceBus.connectionString()).sender().topicName("events")
                .buildClient()) {
            sender.sendMessage(new ServiceBusMessage(BinaryData.fromString("not json"))
                    .setContentType("application/json").setMessageId("dashboard-not-json"));
        }
    }

    private static void screenshot(Path page, Path output, JsonNode dashboard) throws Exception {
        int rows = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            rows = Math.max(rows, panel.path("gridPos").path("y").asInt() + panel.path("gridPos").path("h").asInt());
        }
        Path profile = Files.createTempDirectory("xregion-chromium");
        Path shot = WORK.resolve("dashboard.png").toAbsolutePath();
        Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--window-size=1506," + (rows * 30 + 110),
                "--screenshot=" + shot, page.toAbsolutePath().toUri().toString())
                .redirectErrorStream(true).redirectOutput(new File(WORK.resolve("chromium.log").toString())).start();
        if (!chromium.waitFor(120, TimeUnit.SECONDS) || !Files.isRegularFile(shot)) {
            chromium.destroyForcibly();
            throw new IllegalStateException("chromium took no screenshot; see " + WORK.resolve("chromium.log"));
        }
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.copy(shot, output, StandardCopyOption.REPLACE_EXISTING);
        deleteRecursively(profile);
    }

    private static String hostPort(String url) {
        return url.replace("http://", "").replaceAll("/.*$", "");
    }

    /** The scenario's timeline (this is a tool that draws a picture, not a test). */
    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
