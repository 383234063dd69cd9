package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.IdempotentRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deduplicated receive (routes/servicebus-receive.camel.yaml) with the real repository and processing retry: each
 * namespace's consumer is replaced by a direct endpoint the test sends copies to, and direct:process, the user's
 * route, by a mock endpoint.
 */
class ServiceBusReceiveRoutesTest extends ServiceBusRouteTestSupport {

    private MockEndpoint process;

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected boolean namespacesNeeded() {
        return false;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("servicebus-receive");
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("xregion.servicebus.receive.retry.max-retries", "1",
                "xregion.servicebus.receive.retry.initial-delay-ms", "10",
                "xregion.servicebus.receive.retry.max-delay-ms", "10");
    }

    @BeforeEach
    void receiveFromTheTest() throws Exception {
        // a lambda, not a RouteBuilder class: camel-main would find a class in io.xregion and load it in the app tests
        RouteBuilder.addRoutes(context, routes -> routes.from("direct:process").routeId("process").to("mock:process"));
        AdviceWith.adviceWith(context, "servicebus-receive-primary", r -> r.replaceFromWith("direct:eastus"));
        AdviceWith.adviceWith(context, "servicebus-receive-secondary", r -> r.replaceFromWith("direct:westus"));
        context.start();
        process = getMockEndpoint("mock:process");
    }

    /** A copy of a message as a namespace's consumer hands it over; a failed exchange is abandoned, not completed. */
    private Exchange receive(String namespace, String messageId) {
        return template.send("direct:" + namespace, exchange -> {
            if (messageId != null) {
                exchange.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, messageId);
            }
            exchange.getMessage().setBody("{\"n\":1}");
        });
    }

    @SuppressWarnings("unchecked")
    private boolean remembered(String messageId) {
        return bean("servicebusDedup", IdempotentRepository.class).contains(messageId);
    }

    @Test
    void theSecondCopyOfAMessageIdIsCompletedWithoutReachingProcess() {
        assertNull(receive("eastus", "m-1").getException());
        Exchange duplicate = receive("westus", "m-1");

        assertNull(duplicate.getException(), "completed, not abandoned");
        assertEquals(1, process.getReceivedCounter());
        assertEquals(1.0, counter("xregion.servicebus.duplicates", "namespace", "westus"));
        assertEquals(1.0, counter("xregion.servicebus.processed"));
        assertEquals(2.0, counter("xregion.servicebus.received"));
    }

    @Test
    void copiesArrivingFromBothNamespacesAtOnceAreProcessedOnce() {
        NotifyBuilder bothDone = new NotifyBuilder(context).fromRoute("servicebus-receive-*").whenDone(40).create();
        for (int n = 0; n < 20; n++) {
            String messageId = "m-" + n;
            template.asyncSend("direct:eastus", e -> e.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, messageId));
            template.asyncSend("direct:westus", e -> e.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, messageId));
        }
        assertTrue(bothDone.matches(20, TimeUnit.SECONDS), "every copy was handled");
        assertEquals(20, process.getReceivedCounter());
        assertEquals(20.0, counter("xregion.servicebus.duplicates"));
    }

    @Test
    void aProcessingFailureForgetsTheIdSoTheRedeliveryIsProcessed() {
        process.whenExchangeReceived(1, e -> {
            throw new IllegalStateException("no healthy Web PubSub instance");
        });
        process.whenExchangeReceived(2, e -> {
            throw new IllegalStateException("no healthy Web PubSub instance");
        });
        Exchange failed = receive("eastus", "m-1");

        assertNotNull(failed.getException(), "tried twice, then abandoned to Service Bus");
        assertEquals(2, process.getReceivedCounter());
        assertFalse(remembered("m-1"), "forgotten, so a copy is not dropped as a duplicate of a failure");

        Exchange redelivered = receive("eastus", "m-1");
        assertNull(redelivered.getException());
        assertEquals(3, process.getReceivedCounter());
        assertTrue(remembered("m-1"));
        assertEquals(0.0, counter("xregion.servicebus.duplicates"));
        assertEquals(1.0, counter("xregion.servicebus.processed"));
    }

    @Test
    void aMessageWithoutMessageIdIsProcessedWithoutDuplicateElimination() {
        assertNull(receive("eastus", null).getException());
        assertNull(receive("westus", null).getException());
        assertEquals(2, process.getReceivedCounter());
    }
}
