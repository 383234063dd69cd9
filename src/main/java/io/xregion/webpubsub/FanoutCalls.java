package io.xregion.webpubsub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;

import io.xregion.webpubsub.FanoutResult.InstanceOutcome;

/**
 * The fan-out (routes/webpubsub-fanout.camel.yaml): one REST call to each instance the router chooses, and what each
 * instance made of it. Its contract, {@link #call}: in, the request and the exchange whose body and Content-Type are
 * the message; out, the {@link FanoutResult}. The choice of instances, their endpoints and the calls' outcomes stay in
 * here, not on the exchange.
 *
 * <p>Each call runs on a thread of its own; the fan-out waits until every call is done, or until
 * one instance accepted and the others have had {@code otherInstancesWait} more: a call still in flight then (an
 * instance that stopped answering: its connections hang, nothing refuses them) goes on in the background, bounded by
 * the REST timeouts and by its instance's connection pool, and is answered {@code pending}. So a lost instance never
 * holds up the other instances' clients, nor the receiver that broadcasts a message, while a fan-out in which no instance
 * has answered yet (a cold start: the first TLS handshake, the first Entra token) waits for the first answer.
 *
 * <p>Why not Camel's recipient list, which this route used before: in Camel 4.17.0 a parallel recipient list completes
 * only when every recipient is done, or at a fixed total {@code timeout} counted from its start; it cannot wait "for the
 * others, a little longer than the first" ({@code RecipientListLimitTest} fails when that changes). A fixed timeout short
 * enough for a lost instance cut off calls that are merely slow for every instance.
 */
public final class FanoutCalls {

    private final WebPubSubRouting routing;
    private final WebPubSubRestEndpoints endpoints;
    private final FanoutOutcomeCollector collector;
    private final FanoutResults results;
    private final ExecutorService threads;
    private final long otherInstancesWaitMillis;
    private volatile ProducerTemplate template;

    /**
     * @param otherInstancesWaitMillis how long, after the first instance accepted, the fan-out waits for the others
     */
    public FanoutCalls(WebPubSubRouting routing, WebPubSubRestEndpoints endpoints, FanoutOutcomeCollector collector,
            FanoutResults results, ExecutorService threads, long otherInstancesWaitMillis) {
        this.routing = routing;
        this.endpoints = endpoints;
        this.collector = collector;
        this.results = results;
        this.threads = threads;
        this.otherInstancesWaitMillis = otherInstancesWaitMillis;
    }

    /**
     * Fans the request out to the instances the router chooses for it, with the exchange's body and Content-Type (the
     * route left no other header), and returns every instance's outcome in preference order: its answer, pending, or
     * skipped (kept by the router's choice, so the result tells the chosen instances that did not answer from the
     * others).
     */
    public FanoutResult call(WebPubSubRequest request, Exchange exchange) throws Exception {
        List<WebPubSubInstance> targets = routing.fanoutTargets(request);
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_PATH, request.path());
        message.setHeader(Exchange.HTTP_RAW_QUERY, request.rawQuery());
        List<Endpoint> recipients = endpoints.endpoints(targets, exchange.getContext());
        return results.of(request, targets, callAll(exchange, recipients));
    }

    /** The outcomes of the calls that were done by the deadline, by instance name. */
    private Map<String, InstanceOutcome> callAll(Exchange exchange, List<Endpoint> recipients) throws Exception {
        CompletableFuture<Void> firstAccepted = new CompletableFuture<>();
        List<CompletableFuture<Exchange>> calls = new ArrayList<>(recipients.size());
        for (Endpoint endpoint : recipients) {
            Exchange call = exchange.copy();
            CompletableFuture<Exchange> done = new CompletableFuture<>();
            Runnable task = () -> {
                try {
                    template(endpoint).send(endpoint, call);
                } catch (RuntimeException e) {
                    call.setException(e);
                }
                done.complete(call);
            };
            try {
                threads.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
            done.thenAccept(answered -> {
                if (answered.getException() == null) {
                    firstAccepted.complete(null);
                }
            });
            calls.add(done);
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
        // every call is bounded by its REST timeouts: waiting for "all" ends
        CompletableFuture.anyOf(all, firstAccepted).get();
        if (!all.isDone()) {
            try {
                all.get(otherInstancesWaitMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // the others are pending: the result names them so
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        Map<String, InstanceOutcome> outcomes = new HashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            Exchange done = calls.get(i).getNow(null);
            if (done != null) {
                InstanceOutcome outcome = collector.outcome(recipients.get(i).getEndpointUri(), done);
                outcomes.put(outcome.instance(), outcome);
            }
        }
        return outcomes;
    }

    /**
     * Calls go through a producer template, not the endpoint's producer alone: the template's producer cache tells the
     * context's event notifiers that an exchange is sent and was sent, which is what Camel's tracer (camel-telemetry)
     * makes the REST call's span from; a bare {@code Producer.process} is invisible to it.
     */
    private ProducerTemplate template(Endpoint endpoint) {
        ProducerTemplate found = template;
        if (found == null) {
            synchronized (this) {
                found = template;
                if (found == null) {
                    CamelContext context = endpoint.getCamelContext();
                    found = context.createProducerTemplate();
                    try {
                        // stopped with the context
                        context.addService(found, true, true);
                    } catch (Exception e) {
                        throw new IllegalStateException("the fan-out's producer template did not start", e);
                    }
                    template = found;
                }
            }
        }
        return found;
    }
}
