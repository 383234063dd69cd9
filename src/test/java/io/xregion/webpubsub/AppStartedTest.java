package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Failback waits for every route of this app server to be up before it closes anyone's connection. */
class AppStartedTest {

    @Test
    void theGateOpensOnlyOnceTheContextHasStarted() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            AppStarted gate = new AppStarted(context, Duration.ofMinutes(1));
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // still closed while the context has not started (a bounded look, not a timing assertion)
            assertFalse(waiting.isDone());
            context.start();
            waiting.get(1, TimeUnit.MINUTES);
            assertTrue(context.isStarted());
        }
    }

    @Test
    void aContextThatNeverStartsHoldsTheGateOnlyUntilTheDeadline() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            new AppStarted(context, Duration.ofMillis(100)).await();
            assertFalse(context.isStarted());
        }
    }
}
