package io.xregion.drill;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.WsClient;

/**
 * One region's publisher: POST /publish to its own region's app server at a steady rate, each message
 * {@code <region>:<sequence>:<sent at, epoch ms>} with its own Idempotency-Key. Calls are asynchronous, so a slow answer (a send budget
 * waited out) does not slow the rate down; every call's outcome is kept.
 */
final class Publisher implements AutoCloseable {

    /** What became of one publish: sent or queued (both accepted), refused (an HTTP error), or no answer. */
    enum Outcome { SENT, QUEUED, REFUSED, NO_ANSWER }

    /** One publish: its sequence number, when it was sent and answered (epoch ms), and the outcome. */
    record Publish(int sequence, long sentAt, long answeredAt, Outcome outcome, String detail) {
        boolean accepted() {
            return outcome == Outcome.SENT || outcome == Outcome.QUEUED;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final String region;
    private final String url;
    private final String run;
    private final List<Publish> publishes = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "publisher");
        thread.setDaemon(true);
        return thread;
    });

    Publisher(String region, String appUrl, String run) {
        this.region = region;
        this.url = appUrl + "/publish";
        this.run = run;
    }

    void start(int perSecond) {
        timer.scheduleAtFixedRate(this::publishOne, 0, 1_000_000L / perSecond, TimeUnit.MICROSECONDS);
    }

    /** Stops publishing and waits (bounded) for the answers still outstanding. */
    void stop(Duration wait) throws InterruptedException {
        timer.shutdownNow();
        long deadline = System.nanoTime() + wait.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    List<Publish> publishes() {
        return List.copyOf(publishes);
    }

    int published() {
        return next.get();
    }

    private void publishOne() {
        int sequence = next.getAndIncrement();
        long sentAt = System.currentTimeMillis();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "text/plain")
                .header("Idempotency-Key", "drill-" + run + "-" + region + "-" + sequence)
                .POST(HttpRequest.BodyPublishers.ofString(region + ":" + sequence + ":" + sentAt)).build();
        inFlight.incrementAndGet();
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            long answeredAt = System.currentTimeMillis();
            publishes.add(failure != null ? new Publish(sequence, sentAt, answeredAt, Outcome.NO_ANSWER,
                    failure.getClass().getSimpleName()) : answered(sequence, sentAt, answeredAt, response));
            inFlight.decrementAndGet();
        });
    }

    private static Publish answered(int sequence, long sentAt, long answeredAt, HttpResponse<String> response) {
        if (response.statusCode() != 202) {
            return new Publish(sequence, sentAt, answeredAt, Outcome.REFUSED, Integer.toString(response
                    .statusCode()));
        }
        try {
            JsonNode body = WsClient.JSON.readTree(response.body());
            String status = body.path("status").asText();
            return new Publish(sequence, sentAt, answeredAt, "queued".equals(status) ? Outcome.QUEUED
                    : Outcome.SENT, status + " " + body.path("namespaces"));
        } catch (java.io.IOException e) {
            return new Publish(sequence, sentAt, answeredAt, Outcome.REFUSED, "202 without JSON");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
