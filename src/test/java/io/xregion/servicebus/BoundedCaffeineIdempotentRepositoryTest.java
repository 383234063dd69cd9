package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Two copies of a message racing in from two namespaces: exactly one passes. */
class BoundedCaffeineIdempotentRepositoryTest {

    @Test
    void concurrentCopiesOfOneIdPassExactlyOnce() throws Exception {
        BoundedCaffeineIdempotentRepository repository = new BoundedCaffeineIdempotentRepository(
                Duration.ofMinutes(10), 1_000_000);
        int ids = 20_000;
        AtomicInteger passed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        for (int copy = 0; copy < 4; copy++) {
            pool.submit(() -> {
                start.await();
                for (int i = 0; i < ids; i++) {
                    if (repository.add("id-" + i)) {
                        passed.incrementAndGet();
                    }
                }
                return null;
            });
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        assertEquals(ids, passed.get(), "every id passes once, never twice, whichever copy comes first");
    }

    @Test
    void aFailureForgetsTheIdAndOldIdsExpire() {
        BoundedCaffeineIdempotentRepository repository = new BoundedCaffeineIdempotentRepository(
                Duration.ofMillis(200), 10);
        assertTrue(repository.add("a"));
        assertFalse(repository.add("a"));
        assertTrue(repository.remove("a"), "what the idempotent consumer does when processing fails");
        assertTrue(repository.add("a"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !repository.contains("a"));
        assertTrue(repository.add("a"), "after the window the id is new again");
    }

    @Test
    void theSizeIsBounded() {
        BoundedCaffeineIdempotentRepository repository = new BoundedCaffeineIdempotentRepository(
                Duration.ofMinutes(10), 100);
        for (int i = 0; i < 10_000; i++) {
            repository.add("id-" + i);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            repository.contains("id-0"); // gives Caffeine's eviction a chance to run
            return repository.getSize() <= 100;
        });
    }
}
