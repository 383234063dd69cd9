package io.xregion.servicebus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Active replication's send: a copy of the message to every namespace not known unreachable, all at once, and the
 * message is sent as soon as one namespace accepted its copy. The answer then waits at most {@code otherCopiesWait}
 * for the other copies (usually they are done by then, so the answer names both); a copy still in flight is answered
 * {@code pending}, and its outcome is recorded (counters, health) when it comes. So a namespace that stops answering
 * costs a publish nothing but that short wait, from the first second, and none of its threads: each namespace's
 * sends wait under their own bound ({@link MessageIdServiceBusComponent}).
 *
 * <p>Why not Camel's recipient list, which the routes used before: in Camel 4.17.0 a parallel recipient list (a
 * multicast) completes only when every recipient is done, or at a fixed total timeout; it has no "complete on the
 * first success" (an AggregationStrategy's {@code preComplete} applies to the Aggregator EIP, not to the multicast).
 * A publish then waited for the lost namespace's whole send budget. {@code ActiveReplicationTest} shows the recipient
 * list still waiting for its slowest recipient; it fails once Camel can complete early, and then this may go.
 *
 * <p>When no copy is accepted: a refusal any namespace would repeat reaches the caller (the first namespace's, by
 * name, when both refused); otherwise the namespaces are unavailable and the message goes to the outbox.
 */
public final class ActiveReplication implements Processor {

    private final NamespaceHealth health;
    private final NamespaceSenders senders;
    private final Duration otherCopiesWait;
    private final Duration sendBudget;

    /**
     * @param otherCopiesWait how long, after the first acceptance, the answer waits for the other copies' outcomes
     * @param sendBudget      the longest a copy can take (every namespace's send budget); a copy not done by then is
     *                        counted unavailable, a safety net behind the SDK's own timeouts
     */
    public ActiveReplication(NamespaceHealth health, NamespaceSenders senders, Duration otherCopiesWait,
            Duration sendBudget) {
        this.health = health;
        this.senders = senders;
        this.otherCopiesWait = otherCopiesWait;
        this.sendBudget = sendBudget;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        SendOutcomes outcomes = SendOutcomes.of(exchange);
        List<String> targets = new ArrayList<>();
        for (String namespace : health.names()) {
            if (health.reachable(namespace)) {
                targets.add(namespace);
            } else {
                outcomes.record(namespace, "skipped: unreachable");
            }
        }
        if (targets.isEmpty()) {
            throw new NamespaceUnavailableException("No Service Bus namespace is reachable", null);
        }
        CompletableFuture<String> firstAccepted = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(targets.size());
        List<CompletableFuture<Exchange>> copies = new ArrayList<>();
        for (String namespace : targets) {
            copies.add(senders.send(namespace, exchange).whenComplete((copy, error) -> {
                if (copy != null && copy.getException() == null) {
                    firstAccepted.complete(namespace);
                }
                if (left.decrementAndGet() == 0) {
                    // all done and none accepted (or the accepted one completed the future already)
                    firstAccepted.complete(null);
                }
            }));
        }
        String accepted = await(firstAccepted, sendBudget);
        if (accepted != null) {
            exchange.setVariable(SendOutcomes.SENT_VIA, accepted);
            awaitQuietly(CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)), otherCopiesWait);
            for (String namespace : targets) {
                outcomes.recordIfAbsent(namespace, "pending");
            }
            return;
        }
        Exception verdict = null;
        for (int i = 0; i < copies.size(); i++) {
            CompletableFuture<Exchange> copy = copies.get(i);
            Exception failure = copy.isDone() && !copy.isCompletedExceptionally() ? copy.join().getException()
                    : new NamespaceUnavailableException("Service Bus namespace '" + targets.get(i)
                            + "' did not answer within its send budget", null);
            verdict = verdict == null ? failure : verdict(verdict, failure);
        }
        throw verdict;
    }

    /** Of two copies' failures, the one the caller gets: a refusal (the first namespace's) beats an outage. */
    static Exception verdict(Exception one, Exception other) {
        if (one instanceof SendRefusedException a && other instanceof SendRefusedException b) {
            return String.valueOf(a.namespace()).compareTo(String.valueOf(b.namespace())) <= 0 ? a : b;
        }
        return other instanceof SendRefusedException ? other : one;
    }

    private static <T> T await(CompletableFuture<T> future, Duration limit) throws InterruptedException {
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        }
    }

    private static void awaitQuietly(CompletableFuture<?> future, Duration limit) throws InterruptedException {
        if (limit.isZero()) {
            return;
        }
        await(future, limit);
    }
}
