package io.xregion.servicebus.dedup;

/**
 * A copy of a message whose id another claim holds, not done and not lapsed, within the wait: it must not be
 * completed (the claim's owner may die mid-way), so it fails and goes back to Service Bus to be looked at again.
 */
public final class ClaimPendingException extends RuntimeException {

    public ClaimPendingException(String messageId, String owner, long waitedMillis) {
        super("Message " + messageId + " is claimed by " + owner + " and not done after " + waitedMillis
                + " ms; it goes back to Service Bus and is looked at again");
    }

    /** An expected outcome, not a fault: Camel logs the failed exchange, and a stack trace there would only be noise. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
