package io.xregion.servicebus;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.health.HealthChanges;

/**
 * Records what a namespace made of one send, where it counts: the message's {@link SendOutcomes}, the
 * {@code xregion.servicebus.sends{namespace, outcome}} counter, the namespace's {@link NamespaceHealth} and a change
 * of reachability that caused in the status page's {@link HealthChanges}; and turns a failure into what the routes
 * act on: {@link NamespaceUnavailableException} for an outage (fail over, queue) or
 * {@link SendRefusedException} for an error every namespace would share (the caller gets it).
 */
final class SendOutcomeRecorder {

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.servicebus");

    private final NamespaceHealth health;
    private final ServiceBusCounters counters;
    private final HealthChanges changes;

    SendOutcomeRecorder(NamespaceHealth health, ServiceBusCounters counters, HealthChanges changes) {
        this.health = health;
        this.counters = counters;
        this.changes = changes;
    }

    void accepted(Exchange exchange, String namespace) {
        SendOutcomes.of(exchange).record(namespace, "accepted");
        exchange.setVariable(SendOutcomes.SENT_VIA, namespace);
        counters.send(namespace, "accepted");
        NamespaceHealth.Change change = health.sendSucceeded(namespace);
        if (change != null) {
            LOG.warn("Service Bus namespace {} is reachable again", namespace);
            changes.record(change);
        }
    }

    /** Records and classifies the failure; an outage also counts against the namespace's health. */
    RuntimeException failed(Exchange exchange, String namespace, Exception error) {
        OutageClassifier.Kind kind = OutageClassifier.classify(error);
        String description = describe(error);
        String outcome = kind == OutageClassifier.Kind.OUTAGE ? "unavailable" : "refused";
        SendOutcomes.of(exchange).record(namespace, outcome + ": " + description);
        counters.send(namespace, outcome);
        if (kind == OutageClassifier.Kind.OUTAGE) {
            NamespaceHealth.Change change = health.sendFailed(namespace, description);
            if (change != null) {
                LOG.warn("Service Bus namespace {} is unreachable: {}", namespace, description);
                changes.record(change);
            }
            return new NamespaceUnavailableException("Service Bus namespace '" + namespace + "' is unavailable: "
                    + description, null);
        }
        LOG.warn("Service Bus namespace {} refused a message ({}): {}", namespace, kind, description);
        return SendRefusedException.of(kind, namespace);
    }

    /** The namespace has as many sends waiting as it may: this copy is not tried (nor held against it). */
    RuntimeException busy(Exchange exchange, String namespace) {
        SendOutcomes.of(exchange).record(namespace, "skipped: busy");
        counters.send(namespace, "skipped");
        return new NamespaceUnavailableException("Service Bus namespace '" + namespace + "' has as many sends "
                + "waiting for its answer as it may", null);
    }

    static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage();
        // the SDK appends its error context (namespace, path, link credit): useful in the log, noise in an answer
        int context = message.indexOf(", errorContext[");
        if (context > 0) {
            message = message.substring(0, context);
        }
        return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
