package io.xregion.webpubsub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

import io.xregion.webpubsub.FanoutResult.InstanceOutcome;
import io.xregion.webpubsub.FanoutResult.InstanceOutcome.Status;

/**
 * Makes each instance's call into its outcome and collects them on the fanned-out exchange. One instance failing
 * never fails the others: each failure is recorded, never thrown.
 */
public final class FanoutOutcomeCollector {

    private static final String OUTCOMES = "xregion.fanout.outcomes";

    private final WebPubSubRestEndpoints endpoints;

    public FanoutOutcomeCollector(WebPubSubRestEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    /** Records what one call (made on a copy of {@code fanout}, to the endpoint of that URI) came to. */
    public void record(Exchange fanout, String endpointUri, Exchange call) {
        @SuppressWarnings("unchecked")
        Map<String, InstanceOutcome> outcomes = fanout.getProperty(OUTCOMES, Map.class);
        if (outcomes == null) {
            outcomes = new ConcurrentHashMap<>();
            fanout.setProperty(OUTCOMES, outcomes);
        }
        WebPubSubInstance instance = endpoints.instanceOf(endpointUri);
        outcomes.put(instance.name(), outcome(instance.name(), call));
    }

    /**
     * Takes the outcomes collected on this exchange, by instance name (none when no call was made), so a later
     * fan-out of the same exchange starts afresh.
     */
    public static Map<String, InstanceOutcome> take(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, InstanceOutcome> outcomes = exchange.removeProperty(OUTCOMES) instanceof Map<?, ?> collected
                ? (Map<String, InstanceOutcome>) collected : Map.of();
        return outcomes;
    }

    private static InstanceOutcome outcome(String instance, Exchange exchange) {
        Exception error = exchange.getException();
        if (error == null) {
            return new InstanceOutcome(instance, Status.ACCEPTED,
                    exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class), null);
        }
        HttpOperationFailedException answered = exchange.getException(HttpOperationFailedException.class);
        if (answered != null) {
            Status status = answered.getStatusCode() < 500 ? Status.REFUSED : Status.UNAVAILABLE;
            return new InstanceOutcome(instance, status, answered.getStatusCode(),
                    "HTTP " + answered.getStatusCode() + " " + answered.getStatusText());
        }
        // Only a call the instance left unanswered says something about the instance; anything else went wrong on
        // this side before or around the call, and must not count against the instance's health.
        Status status = exchange.getException(InterruptedIOException.class) != null ? Status.TIMEOUT
                : exchange.getException(IOException.class) != null ? Status.UNAVAILABLE : Status.ERROR;
        return new InstanceOutcome(instance, status, null, describe(error));
    }

    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
