package io.xregion.servicebus;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Passive replication's send: the message goes to the namespace in use; when that one fails with an outage, or has
 * not answered within {@code hedgeAfter}, it goes to the other namespace too (same MessageId: the receivers drop the
 * copy), and the first acceptance is the answer. The roles swap, and stay swapped, when the other namespace carried
 * the message because the one in use failed or is known unreachable; a namespace in use that is merely slow keeps
 * its role. A refusal any namespace would repeat (too large, unauthorized, no such entity) reaches the caller and
 * goes nowhere else.
 *
 * <p>Why a hedge rather than Camel's failover load balancer, which the route used before: the load balancer tries
 * the next endpoint only once the first has failed, so a namespace that stops answering (a partition: nothing is
 * refused, nothing answers) cost every publish the whole send budget before the other was tried (try timeout × (retries
 * + 1) + the SDK's retry delays: 7 s with the defaults). A hedge costs, while both namespaces live, one extra copy of
 * the rare send slower than {@code hedgeAfter}; the receivers drop it.
 */
public final class PassiveReplication implements Processor {

    /** The exchange variable naming the namespace passive replication moved to with this message (null: none). */
    public static final String FAILED_OVER_TO = "failedOverTo";

    private final NamespaceHealth health;
    private final NamespaceSenders senders;
    private final PassiveRoles roles;
    private final ServiceBusCounters counters;
    private final Duration hedgeAfter;
    private final Duration sendBudget;

    /**
     * @param hedgeAfter how long the namespace in use may take before the other gets the message too; zero: never
     *                   (only an outage moves the message, once the namespace in use has spent its send budget)
     * @param sendBudget the longest a copy can take, a safety net behind the SDK's own timeouts
     */
    public PassiveReplication(NamespaceHealth health, NamespaceSenders senders, PassiveRoles roles,
            ServiceBusCounters counters, Duration hedgeAfter, Duration sendBudget) {
        this.health = health;
        this.senders = senders;
        this.roles = roles;
        this.counters = counters;
        this.hedgeAfter = hedgeAfter;
        this.sendBudget = sendBudget;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        SendOutcomes outcomes = SendOutcomes.of(exchange);
        exchange.removeVariable(FAILED_OVER_TO);
        String inUse = roles.active();
        String other = roles.other();
        // known unreachable while the other is not: go to the other at once
        boolean skipInUse = !health.reachable(inUse) && health.reachable(other);
        String first = skipInUse ? other : inUse;
        String second = skipInUse ? inUse : other;
        if (skipInUse) {
            outcomes.record(inUse, "skipped: unreachable");
        }
        CompletableFuture<Exchange> firstCopy = senders.send(first, exchange);
        Exchange firstDone = await(firstCopy, hedgeAfter.isZero() ? sendBudget : hedgeAfter);
        if (firstDone != null && firstDone.getException() == null) {
            accepted(exchange, first, inUse);
            return;
        }
        if (firstDone != null && firstDone.getException() instanceof SendRefusedException refused) {
            throw refused;
        }
        if (skipInUse) {
            // the other namespace was the only one worth trying, and it failed too
            throw failure(firstDone, first);
        }
        if (firstDone == null) {
            // no answer yet: hedge, unless the other is known down (then only the first can still carry it)
            if (!health.reachable(second)) {
                firstDone = await(firstCopy, sendBudget);
                if (firstDone != null && firstDone.getException() == null) {
                    accepted(exchange, first, inUse);
                    return;
                }
                throw failure(firstDone, first);
            }
            counters.hedged(second);
        }
        CompletableFuture<Exchange> secondCopy = senders.send(second, exchange);
        CompletableFuture<String> acceptedBy = new CompletableFuture<>();
        firstCopy.thenAccept(copy -> acceptIf(acceptedBy, copy, first, secondCopy));
        secondCopy.thenAccept(copy -> acceptIf(acceptedBy, copy, second, firstCopy));
        String carrier = await(acceptedBy, sendBudget);
        if (carrier != null) {
            // the copy still in flight is recorded when it comes; the answer says it was not waited for
            outcomes.recordIfAbsent(first, "pending");
            outcomes.recordIfAbsent(second, "pending");
            accepted(exchange, carrier, inUse);
            return;
        }
        Exception one = failure(firstCopy.getNow(null), first);
        Exception two = failure(secondCopy.getNow(null), second);
        throw ActiveReplication.verdict(one, two);
    }

    /** Completes with the namespace when its copy was accepted, or with null once both copies failed. */
    private static void acceptIf(CompletableFuture<String> acceptedBy, Exchange copy, String namespace,
            CompletableFuture<Exchange> otherCopy) {
        if (copy.getException() == null) {
            acceptedBy.complete(namespace);
        } else if (otherCopy.isDone() && otherCopy.join().getException() != null) {
            acceptedBy.complete(null);
        }
    }

    private void accepted(Exchange exchange, String carrier, String inUse) {
        exchange.setVariable(SendOutcomes.SENT_VIA, carrier);
        // the namespace in use failed, or is known unreachable: the carrier is in use from now on
        if (!carrier.equals(inUse) && !health.reachable(inUse) && roles.swapTo(carrier)) {
            exchange.setVariable(FAILED_OVER_TO, carrier);
        }
    }

    private static Exception failure(Exchange copy, String namespace) {
        if (copy != null && copy.getException() != null) {
            return copy.getException();
        }
        return new NamespaceUnavailableException("Service Bus namespace '" + namespace
                + "' did not answer within its send budget", null);
    }

    private static <T> T await(CompletableFuture<T> future, Duration limit) throws InterruptedException {
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        }
    }
}
