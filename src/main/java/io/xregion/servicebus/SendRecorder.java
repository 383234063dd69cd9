package io.xregion.servicebus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps, for one message, what each namespace made of it, and turns a namespace's failure into what the routes act
 * on: {@link NamespaceUnavailableException} for an outage (fail over, queue) or {@link SendRefusedException} for an
 * error every namespace would share (the caller gets it).
 */
public final class SendRecorder implements AggregationStrategy {

    /** The exchange variable with each namespace's outcome: accepted, unavailable, refused or skipped. */
    public static final String OUTCOMES = "sendOutcomes";
    /** The exchange variable naming the namespace that accepted the message last. */
    public static final String SENT_VIA = "sentVia";

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.servicebus");

    /** One namespace's failure to take a message. */
    public record Failure(String namespace, OutageClassifier.Kind kind, String error) {
        /** The outcome tag in metrics and answers. */
        public String outcome() {
            return kind == OutageClassifier.Kind.OUTAGE ? "unavailable" : "refused";
        }
    }

    private final NamespaceHealth health;

    public SendRecorder(NamespaceHealth health) {
        this.health = health;
    }

    /** Starts a fresh record of outcomes for the message on this exchange. */
    public void start(Exchange exchange) {
        exchange.setVariable(OUTCOMES, new ConcurrentSkipListMap<String, String>());
        exchange.removeVariable(SENT_VIA);
    }

    /** The namespaces active replication sends to: every reachable one; none reachable is an outage. */
    public List<String> activeRecipients(Exchange exchange) {
        List<String> recipients = new ArrayList<>();
        for (String namespace : health.names()) {
            if (health.reachable(namespace)) {
                recipients.add("direct:servicebus-send-" + namespace);
            } else {
                outcomes(exchange).put(namespace, "skipped: unreachable");
            }
        }
        if (recipients.isEmpty()) {
            throw new NamespaceUnavailableException("No Service Bus namespace is reachable", null);
        }
        return recipients;
    }

    public void accepted(Exchange exchange, String namespace) {
        outcomes(exchange).put(namespace, "accepted");
        exchange.setVariable(SENT_VIA, namespace);
        NamespaceHealth.Change change = health.sendSucceeded(namespace);
        if (change != null) {
            LOG.warn("Service Bus namespace {} is reachable again", namespace);
        }
    }

    /** Records and classifies a namespace's failure; an outage also counts against its health. */
    public Failure failed(Exchange exchange, String namespace, Exception error) {
        OutageClassifier.Kind kind = OutageClassifier.classify(error);
        String description = describe(error);
        Failure failure = new Failure(namespace, kind, description);
        outcomes(exchange).put(namespace, failure.outcome() + ": " + description);
        if (kind == OutageClassifier.Kind.OUTAGE) {
            if (health.sendFailed(namespace, description) != null) {
                LOG.warn("Service Bus namespace {} is unreachable: {}", namespace, description);
            }
        } else {
            LOG.warn("Service Bus namespace {} refused a message ({}): {}", namespace, kind, description);
        }
        return failure;
    }

    public void rethrow(Failure failure) {
        if (failure.kind() == OutageClassifier.Kind.OUTAGE) {
            throw new NamespaceUnavailableException("Service Bus namespace '" + failure.namespace()
                    + "' is unavailable: " + failure.error(), null);
        }
        throw SendRefusedException.of(failure.kind(), failure.namespace());
    }

    /**
     * After active replication: fine when a namespace accepted; else a refusal reaches the caller, and an outage
     * everywhere is an outage.
     */
    public void requireAccepted(Exchange exchange) {
        Map<String, String> outcomes = outcomes(exchange);
        if (outcomes.containsValue("accepted")) {
            return;
        }
        for (Map.Entry<String, String> outcome : outcomes.entrySet()) {
            if (outcome.getValue().startsWith("refused")) {
                Exception refusal = exchange.getProperty("xregion.refusal." + outcome.getKey(), Exception.class);
                if (refusal instanceof SendRefusedException refused) {
                    throw refused;
                }
            }
        }
        throw new NamespaceUnavailableException("No Service Bus namespace accepted the message", null);
    }

    /** Active replication's aggregation: one namespace failing never fails the other; refusals are kept aside. */
    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange == null ? newExchange : oldExchange;
        if (newExchange.getException() instanceof SendRefusedException refused) {
            String endpoint = newExchange.getProperty(Exchange.RECIPIENT_LIST_ENDPOINT, String.class);
            result.setProperty("xregion.refusal." + endpoint.substring(endpoint.lastIndexOf('-') + 1), refused);
        }
        result.setException(null);
        return result;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, String> outcomes(Exchange exchange) {
        Map<String, String> outcomes = exchange.getVariable(OUTCOMES, Map.class);
        if (outcomes == null) {
            outcomes = new ConcurrentSkipListMap<>();
            exchange.setVariable(OUTCOMES, outcomes);
        }
        return outcomes;
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
