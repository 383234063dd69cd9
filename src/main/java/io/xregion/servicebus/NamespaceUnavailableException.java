package io.xregion.servicebus;

/** A namespace (or every namespace) could not take a message because of an outage: fail over, queue, retry. */
public final class NamespaceUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NamespaceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
