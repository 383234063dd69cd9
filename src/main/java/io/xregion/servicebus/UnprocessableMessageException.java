package io.xregion.servicebus;

/**
 * A received message that can never be processed, through its own fault (its body, its content type, its size): the
 * namespace's consumer dead-letters it at once with this reason and description, instead of trying it again. Thrown
 * by the receive route's checks, and by a processing route (direct:process) that finds a message it will never take,
 * e.g. in YAML {@code throwException: {exceptionType: io.xregion.servicebus.UnprocessableMessageException, message:
 * "..."}}. Never for a passing failure (an instance or a namespace out of reach): those are tried again.
 *
 * <p>The reason is a short code (it tags the {@code xregion.servicebus.dead-lettered} counter, so keep the set small);
 * the description says what is wrong, never the message's content. Both go to the broker as the message's
 * DeadLetterReason and DeadLetterErrorDescription, cut to {@value #MAX_REASON} and {@value #MAX_DESCRIPTION}
 * characters so no dead-letter request is refused for its size.
 */
public class UnprocessableMessageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    static final int MAX_REASON = 128;
    static final int MAX_DESCRIPTION = 1024;

    /** The reason given when a processing route throws one with a description only. */
    public static final String DEFAULT_REASON = "Unprocessable";

    private final String reason;

    public UnprocessableMessageException(String reason, String description) {
        super(cut(description == null || description.isBlank() ? reason : description, MAX_DESCRIPTION), null, false,
                false);
        this.reason = cut(reason == null || reason.isBlank() ? DEFAULT_REASON : reason, MAX_REASON);
    }

    /** For {@code throwException} in a route: the reason is {@value #DEFAULT_REASON}. */
    public UnprocessableMessageException(String description) {
        this(DEFAULT_REASON, description);
    }

    /** The DeadLetterReason: a short code such as {@code InvalidJson}. */
    public String getReason() {
        return reason;
    }

    /** The DeadLetterErrorDescription: what is wrong with the message. */
    public String getDescription() {
        return getMessage();
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
