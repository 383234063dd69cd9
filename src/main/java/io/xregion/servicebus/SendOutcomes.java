package io.xregion.servicebus;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentSkipListMap;

import org.apache.camel.Exchange;

/**
 * What each namespace made of one message: {@code accepted}, {@code unavailable: …}, {@code refused: …},
 * {@code skipped: unreachable}, {@code skipped: busy} or {@code pending} (still in flight when the answer was made),
 * by namespace, for the publish answer. Every send starts a fresh one before the
 * message is copied (one copy per namespace), so all the copies record into the same one.
 */
public final class SendOutcomes {

    /** The exchange variable naming the namespace that accepted the message last (passive replication's roles). */
    public static final String SENT_VIA = "sentVia";
    private static final String VARIABLE = "sendOutcomes";

    private final SortedMap<String, String> byNamespace = new ConcurrentSkipListMap<>();

    private SendOutcomes() {
    }

    /** A fresh record for the message on this exchange, replacing what an earlier send of the exchange left. */
    public static void start(Exchange exchange) {
        exchange.setVariable(VARIABLE, new SendOutcomes());
        exchange.removeVariable(SENT_VIA);
    }

    /** The message's record; one is made if no send started it (a route that calls a mode's send directly). */
    static SendOutcomes of(Exchange exchange) {
        SendOutcomes outcomes = exchange.getVariable(VARIABLE, SendOutcomes.class);
        if (outcomes == null) {
            outcomes = new SendOutcomes();
            exchange.setVariable(VARIABLE, outcomes);
        }
        return outcomes;
    }

    /** Each namespace's outcome, in namespace order; empty when the message was not sent (it queued). */
    public static Map<String, String> byNamespace(Exchange exchange) {
        SendOutcomes outcomes = exchange.getVariable(VARIABLE, SendOutcomes.class);
        return outcomes == null ? Map.of() : Collections.unmodifiableSortedMap(outcomes.byNamespace);
    }

    void record(String namespace, String outcome) {
        byNamespace.put(namespace, outcome);
    }

    /** An outcome for a namespace that has none yet (a copy still in flight when the answer is made). */
    void recordIfAbsent(String namespace, String outcome) {
        byNamespace.putIfAbsent(namespace, outcome);
    }
}
