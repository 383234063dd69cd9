package io.xregion.observability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xregion.testing.RunningApp;
import org.awaitility.Awaitility;

/**
 * A real Prometheus (Debian's {@code prometheus}) of our own on a free loopback port, its data in a temporary
 * directory, scraping app servers' {@code /observe/metrics} every {@link #SCRAPE_INTERVAL} the way docs/observability.md tells an
 * operator to (honor_labels, a pod label per target) and evaluating xregion's alert rules.
 */
final class LocalPrometheus implements AutoCloseable {

    /**
     * How often it scrapes and evaluates: the app servers must answer a scrape within it (a loaded machine takes
     * seconds) or the picture has holes.
     */
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(10);
    /** What Grafana's {@code $__rate_interval} would be: four scrape intervals. */
    static final String RATE_INTERVAL = SCRAPE_INTERVAL.multipliedBy(4).toSeconds() + "s";
    static final Path EXECUTABLE = Path.of(System.getProperty("xregion.prometheus", "/usr/bin/prometheus"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;

    private LocalPrometheus(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Scrapes each target (pod label → host:port of its management server). */
    static LocalPrometheus start(Map<String, String> targets, Path work) throws IOException {
        int port = RunningApp.freePort();
        Files.createDirectories(work);
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: %1$ds
                  scrape_timeout: %1$ds
                  evaluation_interval: %1$ds
                rule_files:
                  - %2$s
                scrape_configs:
                  - job_name: xregion
                    metrics_path: /observe/metrics
                    honor_labels: true
                    static_configs:
                """.formatted(SCRAPE_INTERVAL.toSeconds(), ObservabilityFiles.RULES));
        targets.forEach((pod, address) -> config.append("""
                      - targets: ['%s']
                        labels: { pod: %s }
                """.formatted(address, pod)));
        Path file = work.resolve("prometheus.yml");
        Files.writeString(file, config);
        Process process = new ProcessBuilder(List.of(EXECUTABLE.toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")).redirectErrorStream(true).redirectOutput(new File(work.resolve("prometheus.log")
                        .toString())).start();
        LocalPrometheus prometheus = new LocalPrometheus(process, port);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited; see " + work.resolve("prometheus.log"));
            }
            return prometheus.get("/-/ready").statusCode() == 200;
        });
        return prometheus;
    }

    /** The series of a query over a time range, as Prometheus' HTTP API answers them ({@code data.result}). */
    JsonNode range(String query, Instant start, Instant end, Duration step) {
        String path = "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start="
                + start.getEpochSecond() + "&end=" + end.getEpochSecond() + "&step=" + step.toSeconds();
        HttpResponse<String> answer = get(path);
        try {
            JsonNode body = JSON.readTree(answer.body());
            if (answer.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                throw new IllegalStateException("Prometheus refused " + query + ": " + answer.body());
            }
            return body.path("data").path("result");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether every target has been scraped successfully ({@code up == 1}). */
    boolean allTargetsUp(int expected) {
        JsonNode result = range("up", Instant.now().minus(SCRAPE_INTERVAL), Instant.now(), Duration.ofSeconds(1));
        int up = 0;
        for (JsonNode series : result) {
            JsonNode values = series.path("values");
            if (!values.isEmpty() && "1".equals(values.get(values.size() - 1).get(1).asText())) {
                up++;
            }
        }
        return up == expected;
    }

    private HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
