package io.xregion.webpubsub;

import java.io.IOException;
import java.io.InterruptedIOException;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

import io.xregion.webpubsub.FanoutResult.InstanceOutcome;
import io.xregion.webpubsub.FanoutResult.InstanceOutcome.Status;

/**
 * Makes each instance's call into its outcome. One instance failing never fails the others: each failure becomes an
 * outcome, never an exception.
 */
public final class FanoutOutcomeCollector {

    private final WebPubSubRestEndpoints endpoints;

    public FanoutOutcomeCollector(WebPubSubRestEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    /** What one call (made on a copy of the fanned-out exchange, to the endpoint of that URI) came to. */
    public InstanceOutcome outcome(String endpointUri, Exchange call) {
        return outcomeOf(endpoints.instanceOf(endpointUri).name(), call);
    }

    private static InstanceOutcome outcomeOf(String instance, Exchange exchange) {
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
