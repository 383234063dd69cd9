package io.xregion.servicebus;

import io.xregion.http.ApiException;

/**
 * A namespace refused a message for a reason every namespace would share (too large, unauthorized, no such entity):
 * no failover; the caller gets the error.
 */
public final class SendRefusedException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final OutageClassifier.Kind kind;
    private final String namespace;

    public SendRefusedException(OutageClassifier.Kind kind, int status, String code, String message) {
        this(kind, status, code, message, null);
    }

    private SendRefusedException(OutageClassifier.Kind kind, int status, String code, String message,
            String namespace) {
        super(status, code, message);
        this.kind = kind;
        this.namespace = namespace;
    }

    public OutageClassifier.Kind kind() {
        return kind;
    }

    /** The namespace that refused, or null. */
    public String namespace() {
        return namespace;
    }

    /**
     * Whether the message itself is at fault (too large, malformed), so no retry can ever deliver it; otherwise
     * xregion's own setup is (credentials, a missing or disabled entity), which an operator can put right.
     */
    public boolean messageAtFault() {
        return kind == OutageClassifier.Kind.TOO_LARGE || kind == OutageClassifier.Kind.BAD_REQUEST;
    }

    static SendRefusedException of(OutageClassifier.Kind kind, String namespace) {
        return switch (kind) {
            case TOO_LARGE -> new SendRefusedException(kind, 413, "MessageTooLarge",
                    "Service Bus namespace '" + namespace + "' refused the message as too large", namespace);
            case UNAUTHORIZED -> new SendRefusedException(kind, 502, "ServiceBusUnauthorized",
                    "Service Bus namespace '" + namespace + "' refused xregion's credentials", namespace);
            case ENTITY_UNAVAILABLE -> new SendRefusedException(kind, 502, "ServiceBusEntityUnavailable",
                    "Service Bus namespace '" + namespace + "' has no usable entity (missing or disabled)", namespace);
            default -> new SendRefusedException(kind, 502, "ServiceBusRefused",
                    "Service Bus namespace '" + namespace + "' refused the message", namespace);
        };
    }
}
