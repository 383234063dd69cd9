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
    /** The exchange variable with each refusing namespace's error, for the caller. */
    private static final String REFUSALS = "sendRefusals";
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

    /**
     * Starts a fresh record of outcomes for the message on this exchange. The maps are shared with the copies of
     * the exchange that a parallel recipient list sends to each namespace, so each copy records into them.
     */
    public void start(Exchange exchange) {
        exchange.removeVariable(OUTCOMES);
        exchange.removeVariable(REFUSALS);
        exchange.removeVariable(SENT_VIA);
        outcomes(exchange);
        refusals(exchange);
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

    /** Throws what the routes act on; a refusal is also kept for {@link #requireAccepted}. */
    public void rethrow(Exchange exchange, Failure failure) {
        if (failure.kind() == OutageClassifier.Kind.OUTAGE) {
            throw new NamespaceUnavailableException("Service Bus namespace '" + failure.namespace()
                    + "' is unavailable: " + failure.error(), null);
        }
        SendRefusedException refusal = SendRefusedException.of(failure.kind(), failure.namespace());
        refusals(exchange).put(failure.namespace(), refusal);
        throw refusal;
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
        for (SendRefusedException refusal : refusals(exchange).values()) {
            throw refusal;
        }
        throw new NamespaceUnavailableException("No Service Bus namespace accepted the message", null);
    }

    /** Active replication's aggregation: one namespace failing never fails the other (its outcome is recorded). */
    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange == null ? newExchange : oldExchange;
        result.setException(null);
        return result;
    }

    private static Map<String, SendRefusedException> refusals(Exchange exchange) {
        return perNamespace(exchange, REFUSALS);
    }

    public static Map<String, String> outcomes(Exchange exchange) {
        return perNamespace(exchange, OUTCOMES);
    }

    /** A map by namespace kept in an exchange variable, made on first use. */
    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> perNamespace(Exchange exchange, String variable) {
        Map<String, V> map = exchange.getVariable(variable, Map.class);
        if (map == null) {
            map = new ConcurrentSkipListMap<>();
            exchange.setVariable(variable, map);
        }
        return map;
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
