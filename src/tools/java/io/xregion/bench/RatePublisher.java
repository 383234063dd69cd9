package io.xregion.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * One region's publisher for one step: POST /publish at a steady rate, asynchronously (a slow answer does not slow the
 * rate), each message {@code <name>:<sequence>:<sent at, epoch ms>} with its own Idempotency-Key. Keeps, per
 * sequence, when it was sent and how long the answer took (-1: refused or no answer). The publishers share the
 * benchmark's two cores with the install, so they are lean: Apache HttpClient's blocking client on pooled keep-alive
 * connections, one thread per call in flight (the JDK's asynchronous HttpClient took about twice the CPU per call).
 */
final class RatePublisher {

    private static final CloseableHttpClient HTTP = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(1000)
                    .setMaxConnPerRoute(1000).setDefaultConnectionConfig(ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.ofSeconds(2)).setSocketTimeout(Timeout.ofSeconds(20)).build())
                    .build())
            .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(20)).build())
            .disableCookieManagement().disableAutomaticRetries().disableRedirectHandling().build();
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "bench-publish");
        thread.setDaemon(true);
        return thread;
    });

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
        timer.scheduleAtFixedRate(() -> {
            int sequence = next.getAndIncrement();
            if (sequence < capacity) {
                CALLS.execute(() -> publishOne(sequence));
            }
        }, 0, 1_000_000L / perSecond, TimeUnit.MICROSECONDS);
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

    private void publishOne(int sequence) {
        long sent = System.currentTimeMillis();
        long started = System.nanoTime();
        sentAt[sequence] = sent;
        HttpPost request = new HttpPost(url);
        request.setHeader("Idempotency-Key", name + "-" + sequence);
        request.setEntity(new StringEntity(name + ":" + sequence + ":" + sent, ContentType.create("text/plain")));
        long answer;
        try {
            answer = HTTP.execute(request, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode() == 202 ? Math.max(1, System.nanoTime() - started) : -1L;
            });
        } catch (IOException e) {
            answer = -1;
        }
        answerNanos[sequence] = answer;
        answered.incrementAndGet();
    }
}
