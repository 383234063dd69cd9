package io.xregion.servicebus;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;

/**
 * Tells a namespace outage (worth failing over for) from an error that would fail on any namespace (which must
 * reach the caller). Outages: connection lost or refused, timeouts, server busy, service unavailable, a full entity
 * (quota exceeded). Not outages: a message too large, an authorization error, a missing or disabled entity, a bad
 * request.
 */
public final class OutageClassifier {

    // A full entity (quota exceeded) is that namespace's condition, like being busy: the other one may have room.
    private static final Set<ServiceBusFailureReason> OUTAGE_REASONS = Set.of(ServiceBusFailureReason.SERVICE_BUSY,
            ServiceBusFailureReason.SERVICE_TIMEOUT, ServiceBusFailureReason.SERVICE_COMMUNICATION_ERROR,
            ServiceBusFailureReason.QUOTA_EXCEEDED);
    private static final Set<AmqpErrorCondition> OUTAGE_CONDITIONS = Set.of(AmqpErrorCondition.SERVER_BUSY_ERROR,
            AmqpErrorCondition.TIMEOUT_ERROR, AmqpErrorCondition.CONNECTION_FORCED, AmqpErrorCondition.LINK_DETACH_FORCED,
            AmqpErrorCondition.CONNECTION_FRAMING_ERROR, AmqpErrorCondition.OPERATION_CANCELLED,
            AmqpErrorCondition.INTERNAL_ERROR, AmqpErrorCondition.PROTON_IO,
            AmqpErrorCondition.RESOURCE_LIMIT_EXCEEDED);
    private static final Set<AmqpErrorCondition> REFUSALS = Set.of(AmqpErrorCondition.UNAUTHORIZED_ACCESS,
            AmqpErrorCondition.LINK_PAYLOAD_SIZE_EXCEEDED, AmqpErrorCondition.NOT_FOUND,
            AmqpErrorCondition.ENTITY_DISABLED_ERROR, AmqpErrorCondition.ARGUMENT_ERROR,
            AmqpErrorCondition.ARGUMENT_OUT_OF_RANGE_ERROR, AmqpErrorCondition.NOT_ALLOWED,
            AmqpErrorCondition.NOT_IMPLEMENTED);

    private OutageClassifier() {
    }

    /** What went wrong, as xregion acts on it. */
    public enum Kind {
        /** the namespace is (for now) unusable: fail over, queue, retry later */
        OUTAGE,
        /** the message or the configuration is at fault: every namespace would refuse it */
        TOO_LARGE, UNAUTHORIZED, ENTITY_UNAVAILABLE, BAD_REQUEST
    }

    public static Kind classify(Throwable error) {
        // a definite refusal anywhere in the chain wins: the SDK wraps even those in "Retries exhausted"
        for (Throwable t = error; t != null; t = t.getCause()) {
            Kind refusal = refusal(t);
            if (refusal != null) {
                return refusal;
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ServiceBusException sb && OUTAGE_REASONS.contains(sb.getReason())
                    || t instanceof AmqpException amqp && (amqp.isTransient() || amqp.getErrorCondition() != null
                            && OUTAGE_CONDITIONS.contains(amqp.getErrorCondition()))
                    || t instanceof IOException || t instanceof TimeoutException
                    || t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("Timeout")
                    || t instanceof java.util.concurrent.RejectedExecutionException) {
                return Kind.OUTAGE;
            }
        }
        if (error instanceof IllegalArgumentException || error instanceof NullPointerException) {
            return Kind.BAD_REQUEST;
        }
        // an error we cannot place is treated as an outage: failing over or queueing loses nothing
        return Kind.OUTAGE;
    }

    private static Kind refusal(Throwable t) {
        if (t instanceof ServiceBusException sb) {
            ServiceBusFailureReason reason = sb.getReason();
            if (ServiceBusFailureReason.MESSAGE_SIZE_EXCEEDED.equals(reason)) {
                return Kind.TOO_LARGE;
            }
            if (ServiceBusFailureReason.UNAUTHORIZED.equals(reason)) {
                return Kind.UNAUTHORIZED;
            }
            if (ServiceBusFailureReason.MESSAGING_ENTITY_NOT_FOUND.equals(reason)
                    || ServiceBusFailureReason.MESSAGING_ENTITY_DISABLED.equals(reason)) {
                return Kind.ENTITY_UNAVAILABLE;
            }
        }
        if (t instanceof AmqpException amqp && amqp.getErrorCondition() != null
                && REFUSALS.contains(amqp.getErrorCondition())) {
            return switch (amqp.getErrorCondition()) {
                case LINK_PAYLOAD_SIZE_EXCEEDED -> Kind.TOO_LARGE;
                case UNAUTHORIZED_ACCESS -> Kind.UNAUTHORIZED;
                case NOT_FOUND, ENTITY_DISABLED_ERROR -> Kind.ENTITY_UNAVAILABLE;
                default -> Kind.BAD_REQUEST;
            };
        }
        return null;
    }
}
