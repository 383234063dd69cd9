package io.xregion.servicebus;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Active replication's verdict on the copies of a message: sent when any namespace accepted its copy; otherwise a
 * refusal reaches the caller (any namespace would repeat it), and an outage everywhere is an outage. One namespace
 * failing never stops the other's copy.
 */
public final class AcceptedByAnyNamespace implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange verdict, Exchange copy) {
        if (verdict == null) {
            return copy;
        }
        verdict.setException(verdict(verdict.getException(), copy.getException()));
        return verdict;
    }

    private static Exception verdict(Exception one, Exception other) {
        if (one == null || other == null) {
            return null;
        }
        if (one instanceof SendRefusedException a && other instanceof SendRefusedException b) {
            // the same refusal from both: name the first namespace, whatever order the copies finished in
            return String.valueOf(a.namespace()).compareTo(String.valueOf(b.namespace())) <= 0 ? a : b;
        }
        return other instanceof SendRefusedException ? other : one;
    }
}
