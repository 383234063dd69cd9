package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xregion.testing.Keys;
import io.xregion.webpubsub.FanoutResult.InstanceOutcome;
import io.xregion.webpubsub.FanoutResult.InstanceOutcome.Status;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import io.xregion.health.HealthState;

/**
 * A fan-out's outcomes, one concern each: collecting what each instance made of the call, the result in preference
 * order and the 503, the calls counter, and the health feedback.
 */
class FanoutOutcomesTest {

    private final WebPubSubInstance east = instance("eastus", "https://east.webpubsub.azure.com", InstanceRole.PRIMARY);
    private final WebPubSubInstance west = instance("westus", "https://west.webpubsub.azure.com",
            InstanceRole.SECONDARY);
    private final WebPubSubInstance north = instance("northeurope", "https://north.webpubsub.azure.com",
            InstanceRole.SECONDARY);
    private final WebPubSubInstances instances = new WebPubSubInstances(List.of(east, west, north), "chat");
    private final WebPubSubHealth health = new WebPubSubHealth(instances, 1, 1, Clock.systemUTC());
    private final WebPubSubRestEndpoints endpoints = new WebPubSubRestEndpoints(instances, "signer", 1000, 1000, 1000);
    private final WebPubSubRequests requests = new WebPubSubRequests("chat", "bye");
    private final CamelContext camel = new DefaultCamelContext();

    private static WebPubSubInstance instance(String name, String endpoint, InstanceRole role) {
        return new WebPubSubInstance(name, URI.create(endpoint), Keys.random(), role);
    }

    /** One call's exchange, with its answer or error. */
    private Exchange call(Integer status, Exception error) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.setException(error);
        return exchange;
    }

    private static HttpOperationFailedException answered(int status, String text) {
        return new HttpOperationFailedException("https://x", status, text, null, Map.of(), "");
    }

    private static InstanceOutcome outcome(String instance, Status status) {
        return new InstanceOutcome(instance, status, null, null);
    }

    @Test
    void theCollectorTellsTheInstancesFaultFromTheRequestsAndFromOurOwn() {
        FanoutOutcomeCollector collector = new FanoutOutcomeCollector(endpoints);
        assertEquals(new InstanceOutcome("eastus", Status.ACCEPTED, 202, null),
                collector.outcome(endpoints.uri(east), call(202, null)));
        assertEquals(new InstanceOutcome("westus", Status.REFUSED, 400, "HTTP 400 Bad Request"),
                collector.outcome(endpoints.uri(west), call(null, answered(400, "Bad Request"))));
        assertEquals(new InstanceOutcome("northeurope", Status.UNAVAILABLE, 503, "HTTP 503 Service Unavailable"),
                collector.outcome(endpoints.uri(north), call(null, answered(503, "Service Unavailable"))));

        assertEquals(new InstanceOutcome("eastus", Status.TIMEOUT, null, "SocketTimeoutException: Read timed out"),
                collector.outcome(endpoints.uri(east), call(null,
                        new IllegalStateException("wrapped", new SocketTimeoutException("Read timed out")))));
        assertEquals(new InstanceOutcome("westus", Status.UNAVAILABLE, null, "ConnectException: Connection refused"),
                collector.outcome(endpoints.uri(west), call(null, new ConnectException("Connection refused"))));
        assertEquals(new InstanceOutcome("northeurope", Status.ERROR, null, "IllegalArgumentException: bad header"),
                collector.outcome(endpoints.uri(north), call(null, new IllegalArgumentException("bad header"))),
                "a call that could not be made here is not the instance's fault");
    }

    @Test
    void theResultNamesEveryInstanceInPreferenceOrderAnsweredPendingOrSkipped() {
        health.probed("eastus", 200);
        health.probed("westus", 200);
        health.probed("northeurope", 503);
        FanoutResults results = new FanoutResults(instances, health);
        FanoutResult result = results.of(requests.broadcastToAll(), List.of(east, west),
                Map.of("westus", outcome("westus", Status.ACCEPTED)));
        assertEquals(List.of("eastus", "westus", "northeurope"), List.copyOf(result.instances().keySet()));
        assertEquals(Status.PENDING, result.instances().get("eastus").status(), "chosen, no answer by the deadline");
        assertFalse(result.instances().get("eastus").outageSignal(), "the probes decide about a silent instance");
        assertEquals(Status.ACCEPTED, result.instances().get("westus").status());
        assertEquals(new InstanceOutcome("northeurope", Status.SKIPPED, null, "not healthy (down)"),
                result.instances().get("northeurope"));
        assertEquals(1, result.accepted());
        assertSame(result, results.requireAccepted(result));

        FanoutResult close = results.of(requests.closeGroupOnSecondaries("g"), List.of(west), Map.of());
        assertEquals(List.of("westus", "northeurope"), List.copyOf(close.instances().keySet()),
                "failback closes are not meant for the primary, so it is not even skipped");
    }

    @Test
    void noInstanceAcceptingIsA503ThatStillNamesEveryOutcome() {
        FanoutResults results = new FanoutResults(instances, health);
        FanoutResult nothing = results.of(requests.broadcastToAll(), List.of(), Map.of());
        assertEquals(0, nothing.accepted());
        assertTrue(nothing.instances().values().stream().allMatch(o -> o.status() == Status.SKIPPED));
        NoInstanceAccepted refused = assertThrows(NoInstanceAccepted.class, () -> results.requireAccepted(nothing));
        assertEquals(503, refused.status());
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) refused.body();
        assertEquals(Map.of("code", "NoInstanceAccepted", "message", "No Web PubSub instance accepted the request"),
                body.get("error"));
        assertEquals("broadcast", body.get("operation"));
        assertEquals(0, body.get("accepted"));
        assertEquals(nothing.instances(), body.get("instances"));
    }

    @Test
    void everyOutcomeIsCountedByOperationInstanceAndOutcome() {
        FanoutCallCounter counter = new FanoutCallCounter();
        FanoutResult result = FanoutResult.of("broadcast", Map.of("eastus", outcome("eastus", Status.ACCEPTED),
                "westus", outcome("westus", Status.SKIPPED)));
        counter.count(result);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        counter.meterRegistry(meters);
        counter.count(result);
        counter.count(result);
        assertEquals(2.0, meters.get("xregion.webpubsub.calls").tags("operation", "broadcast", "instance", "eastus",
                "outcome", "accepted").counter().count(), "counted once there is a registry");
        assertEquals(2.0, meters.get("xregion.webpubsub.calls").tags("operation", "broadcast", "instance", "westus",
                "outcome", "skipped").counter().count());
    }

    @Test
    void onlyUnansweredCallsAnd5xxCountAgainstAnInstancesHealth() {
        health.probed("eastus", 200);
        health.probed("westus", 200);
        health.probed("northeurope", 200);
        FanoutHealthFeedback feedback = new FanoutHealthFeedback(health);
        FanoutResult harmless = FanoutResult.of("broadcast", Map.of("eastus", outcome("eastus", Status.REFUSED),
                "westus", outcome("westus", Status.ERROR), "northeurope", outcome("northeurope", Status.ACCEPTED)));
        assertEquals(List.of(), feedback.changes(harmless));
        assertNull(feedback.record(harmless), "no change: nothing for the route to announce");
        assertTrue(health.healthy("eastus") && health.healthy("westus") && health.healthy("northeurope"));

        FanoutResult outage = FanoutResult.of("broadcast", Map.of("eastus", outcome("eastus", Status.UNAVAILABLE),
                "westus", outcome("westus", Status.TIMEOUT), "northeurope", outcome("northeurope", Status.SKIPPED)));
        List<HealthChange> changes = feedback.changes(outage);
        assertEquals(2, changes.size(), changes.toString());
        assertTrue(changes.stream().allMatch(c -> c.to() == HealthState.DOWN));
        assertEquals(List.of(false, false, true), List.of(health.healthy("eastus"), health.healthy("westus"),
                health.healthy("northeurope")));
    }
}
