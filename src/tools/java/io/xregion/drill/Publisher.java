package io.xregion.drill;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.WsClient;

/**
 * One region's publisher, behind a global front: each message {@code <region>:<sequence>:<sent at, epoch ms>} goes
 * to POST /publish of its own region's app server and, when that one does not answer within the try timeout or
 * answers anything but 202, to the other region's, with the same Idempotency-Key (so the message is one message
 * whichever app server took it). Calls are asynchronous, so a slow answer does not slow the rate down; every try's
 * outcome is kept.
 */
final class Publisher implements AutoCloseable {

    /** What became of one publish: sent or queued (both accepted), refused (an HTTP error), or no answer. */
    enum Outcome { SENT, QUEUED, REFUSED, NO_ANSWER }

    /** One try at one region's app server: when it was sent and answered (epoch ms), and the outcome. */
    record Try(String region, long sentAt, long answeredAt, Outcome outcome, String detail) {
        boolean accepted() {
            return outcome == Outcome.SENT || outcome == Outcome.QUEUED;
        }

        long millis() {
            return answeredAt - sentAt;
        }
    }

    /**
     * One publish: its sequence number, when it was first sent and finally answered (epoch ms), the final outcome,
     * and every try (the first at the publisher's own region).
     */
    record Publish(int sequence, long sentAt, long answeredAt, Outcome outcome, String detail, List<Try> tries) {
        Publish(int sequence, long sentAt, long answeredAt, Outcome outcome, String detail) {
            this(sequence, sentAt, answeredAt, outcome, detail, List.of());
        }

        boolean accepted() {
            return outcome == Outcome.SENT || outcome == Outcome.QUEUED;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final String region;
    private final List<String> regions;
    private final List<String> urls;
    private final String run;
    private final Duration tryTimeout;
    private final List<Publish> publishes = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "publisher");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param regions    the regions in the order the front tries them, the publisher's own first
     * @param appUrls    their app servers' base URLs, in the same order
     * @param tryTimeout how long the front waits for one app server's answer
     */
    Publisher(List<String> regions, List<String> appUrls, String run, Duration tryTimeout) {
        this.region = regions.get(0);
        this.regions = List.copyOf(regions);
        this.urls = appUrls.stream().map(u -> u + "/publish").toList();
        this.run = run;
        this.tryTimeout = tryTimeout;
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
        String body = region + ":" + sequence + ":" + sentAt;
        String key = "drill-" + run + "-" + region + "-" + sequence;
        inFlight.incrementAndGet();
        List<Try> tries = new CopyOnWriteArrayList<>();
        attempt(0, key, body, tries).whenComplete((last, failure) -> {
            Try final_ = tries.get(tries.size() - 1);
            publishes.add(new Publish(sequence, sentAt, final_.answeredAt(), final_.outcome(), final_.region()
                    + " " + final_.detail(), new ArrayList<>(tries)));
            inFlight.decrementAndGet();
        });
    }

    /** Tries the app server at {@code index}; on no answer or an error, the next one. */
    private CompletableFuture<Try> attempt(int index, String key, String body, List<Try> tries) {
        long sentAt = System.currentTimeMillis();
        HttpRequest request = HttpRequest.newBuilder(URI.create(urls.get(index))).timeout(tryTimeout)
                .header("Content-Type", "text/plain").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            long answeredAt = System.currentTimeMillis();
            return failure != null ? new Try(regions.get(index), sentAt, answeredAt, Outcome.NO_ANSWER,
                    rootName(failure)) : answered(regions.get(index), sentAt, answeredAt, response);
        }).thenCompose(done -> {
            tries.add(done);
            if (done.accepted() || index + 1 >= urls.size()) {
                return CompletableFuture.completedFuture(done);
            }
            return attempt(index + 1, key, body, tries);
        });
    }

    private static String rootName(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    private static Try answered(String region, long sentAt, long answeredAt, HttpResponse<String> response) {
        if (response.statusCode() != 202) {
            return new Try(region, sentAt, answeredAt, Outcome.REFUSED, Integer.toString(response.statusCode()));
        }
        try {
            JsonNode body = WsClient.JSON.readTree(response.body());
            String status = body.path("status").asText();
            return new Try(region, sentAt, answeredAt, "queued".equals(status) ? Outcome.QUEUED : Outcome.SENT,
                    status + " " + body.path("namespaces"));
        } catch (java.io.IOException e) {
            return new Try(region, sentAt, answeredAt, Outcome.REFUSED, "202 without JSON");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
