package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.awaitility.Awaitility;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.xregion.testing.AuditSubscription;

/**
 * The outbox drain (routes/servicebus-outbox.camel.yaml) with the real send route and two local namespaces; its timer
 * is replaced by a direct endpoint, so each test runs drain rounds when it wants them.
 */
class ServiceBusOutboxRoutesTest extends ServiceBusRouteTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("http-api", "servicebus-outbox", "servicebus-send", "servicebus-health");
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("xregion.servicebus.mode", "active", "xregion.servicebus.max-message-bytes", "400000",
                "xregion.servicebus.outbox.backoff.initial-ms", "60000", "xregion.servicebus.outbox.backoff.max-ms",
                "60000", "xregion.servicebus.health.interval-ms", "200");
    }

    @BeforeEach
    void drainOnDemand() throws Exception {
        AdviceWith.adviceWith(context, "servicebus-outbox-drain", route -> route.replaceFromWith("direct:drain"));
        context.start();
    }

    private Outbox outbox() {
        return bean("outbox", Outbox.class);
    }

    /** Queues a message the way the publish route does, through direct:outbox-append. */
    private String queue(byte[] body) {
        Exchange queued = template.send("direct:outbox-append", exchange -> {
            exchange.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, "m-" + outbox().depth());
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/octet-stream");
            exchange.getMessage().setBody(body);
        });
        assertEquals("queued", queued.getVariable("publishStatus"));
        return queued.getMessage().getHeader(ServiceBusConstants.MESSAGE_ID, String.class);
    }

    private void drainRound() {
        template.sendBody("direct:drain", null);
    }

    @Test
    void deliveredMessagesLeaveTheOutboxInOrderWithTheirMessageIds() {
        List<String> queued = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            queued.add(queue(new byte[] {(byte) n}));
        }
        drainRound();

        assertEquals(0, outbox().depth());
        assertEquals(5.0, counter("xregion.servicebus.outbox.delivered"));
        assertEquals(queued, AuditSubscription.messageIds(eastus, 5, WAIT));
        assertEquals(queued, AuditSubscription.messageIds(westus, 5, WAIT));
    }

    @Test
    void aBatchRefusedForOneMessageIsSentOneAtATimeAndOnlyThatMessageIsSetAside() throws Exception {
        String first = queue(new byte[] {1});
        String tooLarge = queue(new byte[300 * 1024]);
        String last = queue(new byte[] {3});
        drainRound();

        assertEquals(0, outbox().depth());
        assertEquals(List.of(first, last), AuditSubscription.messageIds(eastus, 2, WAIT));
        assertEquals(1.0, counter("xregion.servicebus.outbox.refused"));
        assertEquals(2.0, counter("xregion.servicebus.outbox.delivered"));
        try (var files = Files.list(outboxDirectory.resolve("refused"))) {
            String why = Files.readString(files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow());
            assertTrue(why.contains(tooLarge) && why.contains("too large"), why);
        }
    }

    @Test
    void anOutageBacksOffAndKeepsEveryMessageAndTheHealthRouteSendsThemOnOnceANamespaceIsBack() {
        queue(new byte[] {1});
        queue(new byte[] {2});
        eastus.down();
        westus.down();
        drainRound();

        assertEquals(2, outbox().depth(), "every message still waits");
        assertFalse(outbox().readyToSend(), "the next attempt waits out the backoff (a minute here)");
        assertEquals(0.0, counter("xregion.servicebus.outbox.delivered"));
        assertEquals(0.0, counter("xregion.servicebus.outbox.refused"));

        // a namespace is back: the health route sees it and tells the outbox, which goes at once, whatever the
        // backoff said (without that route step the next attempt would wait a minute)
        eastus.up();
        Awaitility.await("the health route saw eastus back and woke the outbox").atMost(WAIT)
                .until(() -> outbox().readyToSend());
        drainRound();
        assertEquals(0, outbox().depth());
        assertEquals(2.0, counter("xregion.servicebus.outbox.delivered"));
    }
}
