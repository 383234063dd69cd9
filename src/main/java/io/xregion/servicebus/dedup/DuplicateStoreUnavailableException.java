package io.xregion.servicebus.dedup;

/** The duplicate store could not decide (Redis away while holding, and the app stopping): the message goes back. */
public final class DuplicateStoreUnavailableException extends RuntimeException {

    public DuplicateStoreUnavailableException(String message) {
        super(message);
    }
}
