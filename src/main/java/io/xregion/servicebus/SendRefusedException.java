package io.xregion.servicebus;

import io.xregion.http.ApiException;

/**
 * A namespace refused a message for a reason every namespace would share (too large, unauthorized, no such entity):
 * no failover; the caller gets the error.
 */
public final class SendRefusedException extends ApiException {

    private static final long serialVersionUID = 1L;

    public SendRefusedException(int status, String code, String message) {
        super(status, code, message);
    }

    static SendRefusedException of(OutageClassifier.Kind kind, String namespace) {
        return switch (kind) {
            case TOO_LARGE -> new SendRefusedException(413, "MessageTooLarge",
                    "Service Bus namespace '" + namespace + "' refused the message as too large");
            case UNAUTHORIZED -> new SendRefusedException(502, "ServiceBusUnauthorized",
                    "Service Bus namespace '" + namespace + "' refused xregion's credentials");
            case ENTITY_UNAVAILABLE -> new SendRefusedException(502, "ServiceBusEntityUnavailable",
                    "Service Bus namespace '" + namespace + "' has no usable entity (missing or disabled)");
            default -> new SendRefusedException(502, "ServiceBusRefused",
                    "Service Bus namespace '" + namespace + "' refused the message");
        };
    }
}
