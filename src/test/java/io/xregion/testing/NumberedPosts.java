package io.xregion.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Traffic through a fault: {@code {"n":0}} to {@code {"n":count-1}} posted to the app (publish or broadcast) from
 * four threads, a fault switched when a given message is reached, so that the loss lands mid-traffic. Each post
 * must be answered 202; the answers come back for the test to read. A FrameObserver counting {@code n} then tells
 * whether every message arrived once.
 */
public final class NumberedPosts {

    private static final int THREADS = 4;

    private NumberedPosts() {
    }

    /** Posts them all; {@code before.accept(n)} runs on the posting thread just before message n is posted. */
    public static List<JsonNode> post(String url, int count, IntConsumer before) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<JsonNode> answers = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(pool.submit(() -> {
                    for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                        before.accept(n);
                        HttpCalls.Answer answer = HttpCalls.post(url, "application/json", "{\"n\":" + n + "}");
                        assertEquals(202, answer.status(), answer.body());
                        answers.add(answer.json());
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return new ArrayList<>(answers);
    }

    /** Posts them all; {@code switches.get(n)} (if any) runs just before message n is posted. */
    public static List<JsonNode> post(String url, int count, Map<Integer, Runnable> switches) throws Exception {
        return post(url, count, n -> {
            Runnable change = switches.get(n);
            if (change != null) {
                change.run();
            }
        });
    }

    /** Posts them all; {@code fault} runs just before message {@code faultAt} is posted. */
    public static List<JsonNode> post(String url, int count, int faultAt, Runnable fault) throws Exception {
        return post(url, count, Map.of(faultAt, fault));
    }
}
