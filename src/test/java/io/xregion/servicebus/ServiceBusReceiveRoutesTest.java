package io.xregion.servicebus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.spi.IdempotentRepository;
import org.junit.jupiter.api.Test;

import io.xregion.testing.LogCapture;

/**
 * The deduplicated receive (routes/servicebus-receive.camel.yaml) with the real repository and processing retry: each
 * namespace's consumer is replaced by a direct endpoint the test sends copies to, and direct:process, the user's
 * route, by a mock endpoint.
 */
class ServiceBusReceiveRoutesTest extends ReceiveRouteTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of("xregion.servicebus.receive.retry.max-retries", "1",
                "xregion.servicebus.receive.retry.initial-delay-ms", "10",
                "xregion.servicebus.receive.retry.max-delay-ms", "10");
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
    void processingGetsTheBodyAsBytesWithAContentTypeChosenWhenTheProducerDeclaredNone() {
        assertNull(receive("eastus", "m-1", null, "\"hello\"").getException());
        assertNull(receive("eastus", "m-2", null, "{\"n\":2}").getException());
        assertNull(receive("eastus", "m-3", "text/xml; charset=utf-8", "<n>3</n>").getException());

        List<Exchange> received = process.getReceivedExchanges();
        assertEquals("text/plain", received.get(0).getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertEquals("hello", new String(received.get(0).getMessage().getBody(byte[].class), UTF_8));
        assertEquals("application/json", received.get(1).getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertEquals("text/plain", received.get(2).getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertEquals("text/xml; charset=utf-8",
                received.get(2).getMessage().getHeader(ServiceBusConstants.CONTENT_TYPE), "the producer's own is kept");
    }

    @Test
    void aMessageThatCannotBeReadIsDeadLetteredAtOnceWithOneWarningAndACount() {
        Exchange failed;
        try (LogCapture logs = LogCapture.begin()) {
            failed = receive("eastus", "bad-1", "application/json", "not json");
            assertEquals(1, lines(logs, "bad-1"), logs.text());
            assertTrue(logs.text().contains("WARN io.xregion.servicebus Message bad-1 from eastus is dead-lettered: "
                    + "InvalidJson: The body is not JSON although its content type is application/json"), logs.text());
            assertQuiet(logs);
        }
        UnprocessableMessageException reason = failed.getException(UnprocessableMessageException.class);
        assertNotNull(reason, "failed, so the consumer dead-letters it: " + failed.getException());
        assertEquals("InvalidJson", reason.getReason());
        assertEquals(0, process.getReceivedCounter(), "never processed");
        assertEquals(1.0, counter("xregion.servicebus.dead-lettered", "namespace", "eastus", "reason", "InvalidJson"));
        assertEquals(0.0, counter("xregion.servicebus.processed"));

        // forgotten like any failure: the other namespace's copy is looked at, and dead-lettered there too
        assertFalse(remembered("bad-1"));
        assertNotNull(receive("westus", "bad-1", "application/json", "not json")
                .getException(UnprocessableMessageException.class));
        assertEquals(1.0, counter("xregion.servicebus.dead-lettered", "namespace", "westus", "reason", "InvalidJson"));
        assertEquals(0.0, counter("xregion.servicebus.duplicates"));
    }

    @Test
    void aMessageTheProcessingRefusesForGoodIsNotTriedAgain() {
        process.whenAnyExchangeReceived(e -> {
            throw new UnprocessableMessageException("UnknownOrderType", "no handler for order type 7");
        });
        Exchange failed;
        try (LogCapture logs = LogCapture.begin()) {
            failed = receive("eastus", "order-7");
            assertEquals(1, lines(logs, "order-7"), "no retry warnings: " + logs.text());
            assertQuiet(logs);
        }
        assertEquals("UnknownOrderType", failed.getException(UnprocessableMessageException.class).getReason());
        assertEquals(1, process.getReceivedCounter(), "tried once, although retries are configured");
        assertEquals(1.0, counter("xregion.servicebus.dead-lettered", "namespace", "eastus",
                "reason", "UnknownOrderType"));
    }

    /** No stack trace, and no failure report of the error handler with the route's history. */
    private static void assertQuiet(LogCapture logs) {
        assertFalse(logs.text().contains("\tat "), "no stack trace: " + logs.text());
        assertFalse(logs.text().contains("Failed delivery"), logs.text());
    }

    private static long lines(LogCapture logs, String text) {
        return logs.text().lines().filter(line -> line.contains(text)).count();
    }

    @Test
    void aMessageWithoutMessageIdIsProcessedWithoutDuplicateElimination() {
        assertNull(receive("eastus", null).getException());
        assertNull(receive("westus", null).getException());
        assertEquals(2, process.getReceivedCounter());
    }
}
