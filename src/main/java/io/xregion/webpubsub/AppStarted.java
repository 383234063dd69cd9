package io.xregion.webpubsub;

import java.time.Duration;

import org.apache.camel.CamelContext;

/**
 * A gate for work that hands clients to this app server: it opens once the Camel context has started every route.
 * Camel starts the routes one after another, and platform-http's server listens before the negotiate route is up
 * (a negotiate then answers 404), while a health change can already have triggered failback: the clients it closes on
 * a secondary would negotiate, find no route here and be sent to the other region by their front, to stay there until
 * the next failback. The region-loss drill of 2026-12-06 saw a client moved so.
 */
public final class AppStarted {

    private static final long POLL_MILLIS = 50;

    private final CamelContext context;
    private final Duration deadline;

    public AppStarted(CamelContext context, Duration deadline) {
        this.context = context;
        this.deadline = deadline;
    }

    /** Returns once every route has started, or when the deadline has passed (then the work goes on anyway). */
    public void await() throws InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        while (!context.isStarted() && System.nanoTime() < until) {
            // a start takes seconds at most; there is no listener to add once the context is already starting
            Thread.sleep(POLL_MILLIS);
        }
    }
}
