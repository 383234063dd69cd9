package io.xregion.webpubsub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

import io.xregion.http.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.xregion.webpubsub.FanoutResult.InstanceOutcome;
import io.xregion.webpubsub.FanoutResult.InstanceOutcome.Status;

/**
 * Collects a fan-out's per-instance outcomes. One instance failing never fails the others: each failure is
 * recorded and cleared from the aggregate.
 */
public final class FanoutOutcomes implements AggregationStrategy {

    private static final String OUTCOMES = "xregion.fanout.outcomes";

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.fanout");

    private final WebPubSubInstances instances;
    private final WebPubSubHealth health;
    private final WebPubSubRestEndpoints endpoints;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile MeterRegistry meters;

    public FanoutOutcomes(WebPubSubInstances instances, WebPubSubHealth health, WebPubSubRestEndpoints endpoints) {
        this.instances = instances;
        this.health = health;
        this.endpoints = endpoints;
    }

    /** Where {@link #record} counts outcomes; without one (metrics off) nothing is counted. */
    public void meterRegistry(MeterRegistry registry) {
        this.meters = registry;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange == null ? newExchange : oldExchange;
        @SuppressWarnings("unchecked")
        Map<String, InstanceOutcome> outcomes = result.getProperty(OUTCOMES, Map.class);
        if (outcomes == null) {
            outcomes = new ConcurrentHashMap<>();
            result.setProperty(OUTCOMES, outcomes);
        }
        String endpoint = newExchange.getProperty(Exchange.RECIPIENT_LIST_ENDPOINT, String.class);
        WebPubSubInstance instance = endpoints.instanceOf(endpoint);
        outcomes.put(instance.name(), outcome(instance.name(), newExchange));
        result.setException(null);
        return result;
    }

    private static InstanceOutcome outcome(String instance, Exchange exchange) {
        Exception error = exchange.getException();
        if (error == null) {
            return new InstanceOutcome(instance, Status.ACCEPTED,
                    exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class), null);
        }
        HttpOperationFailedException answered = exchange.getException(HttpOperationFailedException.class);
        if (answered != null) {
            Status status = answered.getStatusCode() < 500 ? Status.REJECTED : Status.FAILED;
            return new InstanceOutcome(instance, status, answered.getStatusCode(),
                    "HTTP " + answered.getStatusCode() + " " + answered.getStatusText());
        }
        // Only a call the instance left unanswered says something about the instance; anything else went wrong on
        // this side before or around the call, and must not count against the instance's health.
        Status status = exchange.getException(InterruptedIOException.class) != null ? Status.TIMEOUT
                : exchange.getException(IOException.class) != null ? Status.FAILED : Status.ERROR;
        return new InstanceOutcome(instance, status, null, describe(error));
    }

    /**
     * The fan-out's result, in preference order: instances that answered, chosen ones that did not answer within
     * the fan-out timeout, and unhealthy ones that were skipped.
     */
    public FanoutResult result(Exchange exchange, WebPubSubRequest request) {
        @SuppressWarnings("unchecked")
        Map<String, InstanceOutcome> outcomes = exchange.getProperty(OUTCOMES, Map.class);
        exchange.removeProperty(OUTCOMES);
        @SuppressWarnings("unchecked")
        List<WebPubSubInstance> targets = exchange.getVariable("targets", List.class);
        Map<String, InstanceOutcome> ordered = new LinkedHashMap<>();
        for (WebPubSubInstance instance : instances.all()) {
            String name = instance.name();
            if (outcomes != null && outcomes.containsKey(name)) {
                ordered.put(name, outcomes.get(name));
            } else if (targets != null && targets.contains(instance)) {
                ordered.put(name, new InstanceOutcome(name, Status.TIMEOUT, null, "no answer within the timeout"));
            } else if (request.audience().includes(instance)) {
                ordered.put(name, new InstanceOutcome(name, Status.SKIPPED, null,
                        "not healthy (" + health.state(name).name().toLowerCase(java.util.Locale.ROOT) + ")"));
            }
        }
        return FanoutResult.of(request.operation(), ordered);
    }

    /**
     * Counts every instance's outcome ({@code xregion.webpubsub.calls{operation, instance, outcome}}); a call that got
     * no answer or a 5xx counts against that instance's health. Returns the health changes this caused.
     */
    public List<HealthChange> record(FanoutResult result) {
        List<HealthChange> changes = new ArrayList<>(0);
        for (InstanceOutcome outcome : result.instances().values()) {
            MeterRegistry registry = meters;
            if (registry != null) {
                counters.computeIfAbsent(result.operation() + '|' + outcome.instance() + '|' + outcome.metricTag(),
                        k -> Counter.builder("xregion.webpubsub.calls")
                                .description("REST calls to Web PubSub instances, by outcome")
                                .tags("operation", result.operation(), "instance", outcome.instance(),
                                        "outcome", outcome.metricTag())
                                .register(registry)).increment();
            }
            if (outcome.outageSignal()) {
                LOG.warn("Web PubSub instance {} failed a {} call: {}", outcome.instance(), result.operation(),
                        outcome.error());
                HealthChange change = health.callFailed(outcome);
                if (change != null) {
                    changes.add(change);
                }
            }
        }
        return changes;
    }

    /** A broadcast that no instance accepted is a 503 whose body still names each instance's outcome. */
    public FanoutResult requireAccepted(FanoutResult result) {
        if (result.accepted() == 0) {
            throw new NoInstanceAccepted(result);
        }
        return result;
    }

    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** No instance accepted a fanned-out request. */
    public static final class NoInstanceAccepted extends ApiException {
        private static final long serialVersionUID = 1L;
        private final transient FanoutResult result;

        NoInstanceAccepted(FanoutResult result) {
            super(503, "NoInstanceAccepted", "No Web PubSub instance accepted the request");
            this.result = result;
        }

        @Override
        public Object body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", Map.of("code", code(), "message", getMessage()));
            body.put("operation", result.operation());
            body.put("accepted", 0);
            body.put("instances", result.instances());
            return body;
        }
    }
}
