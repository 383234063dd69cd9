package io.xregion.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One region's publisher for one step: POST /publish at a steady rate, asynchronously (a slow answer does not slow the
 * rate), each message {@code <name>:<sequence>:<sent at, epoch ms>} with its own Idempotency-Key. Keeps, per
 * sequence, when it was sent and how long the answer took (-1: refused or no answer).
 */
final class RatePublisher {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    private final String url;
    private final int capacity;
    private final long[] sentAt;
    private final long[] answerNanos;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bench-publisher");
        thread.setDaemon(true);
        return thread;
    });

    RatePublisher(String name, String appUrl, int perSecond, double seconds) {
        this.name = name;
        this.url = appUrl + "/publish";
        this.capacity = (int) Math.ceil(perSecond * seconds) + 16;
        this.sentAt = new long[capacity];
        this.answerNanos = new long[capacity];
        timer.scheduleAtFixedRate(this::publishOne, 0, 1_000_000L / perSecond, TimeUnit.MICROSECONDS);
    }

    /** Stops publishing and waits (bounded) for the answers still outstanding. */
    void stop(Duration wait) throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + wait.toNanos();
        while (answered.get() < published() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    int published() {
        return Math.min(next.get(), capacity);
    }

    /** When the sequence was sent, epoch ms. */
    long sentAt(int sequence) {
        return sentAt[sequence];
    }

    /** True when the app server answered 202 (sent or queued). */
    boolean accepted(int sequence) {
        return answerNanos[sequence] > 0;
    }

    /** The publish's answer time, ms (accepted ones only). */
    double answerMillis(int sequence) {
        return answerNanos[sequence] / 1e6;
    }

    private void publishOne() {
        int sequence = next.getAndIncrement();
        if (sequence >= capacity) {
            return;
        }
        long sent = System.currentTimeMillis();
        long started = System.nanoTime();
        sentAt[sequence] = sent;
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "text/plain").header("Idempotency-Key", name + "-" + sequence)
                .POST(HttpRequest.BodyPublishers.ofString(name + ":" + sequence + ":" + sent)).build();
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            answerNanos[sequence] = failure == null && response.statusCode() == 202
                    ? Math.max(1, System.nanoTime() - started) : -1;
            answered.incrementAndGet();
        });
    }
}
