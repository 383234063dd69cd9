package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.xregion.testing.AuditSubscription;
import io.xregion.testing.Closer;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.LogCapture;
import io.xregion.testing.RunningApp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What xregion does when something refuses or fails other than a plain outage: refusals of xregion itself, messages
 * at fault, full or missing outboxes, publishes racing the drain, processing that fails, namespace names with dashes.
 */
@Tag("slow")
class ServiceBusFailureHandlingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path outboxDirectory;

    @RegisterExtension
    final Closer closer = new Closer();

    private RunningApp app;
    private LogCapture logs;

    private void start(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(RunningApp.serviceBusFaultRun(outboxDirectory));
        properties.putAll(extra);
        app = closer.add(RunningApp.start(properties));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
    }

    private HttpCalls.Answer publish(int n) {
        return HttpCalls.post(app.url("/publish"), "application/json", "{\"n\":" + n + "}");
    }

    private Outbox outbox() {
        return app.bean("outbox", Outbox.class);
    }

    private void awaitReachable(String namespace) {
        Awaitility.await().atMost(WAIT).until(() -> app.bean("namespaceHealth", NamespaceHealth.class)
                .reachable(namespace));
    }

    @Test
    void namespacesThatRefuseXregionItselfKeepTheOutboxWaitingAndOnlyAFaultyMessageIsSetAside() throws Exception {
        start(Map.of("xregion.servicebus.mode", "active", "xregion.servicebus.max-message-bytes", "400000",
                "xregion.servicebus.outbox.max-messages", "3"));
        app.dev("servicebus", "eastus", "down");
        app.dev("servicebus", "westus", "down");
        List<String> queued = new ArrayList<>();
        for (HttpCalls.Answer answer : List.of(publish(0), HttpCalls.call("POST", app.url("/publish"),
                Map.of("Content-Type", "application/octet-stream"), new byte[300 * 1024]), publish(1))) {
            assertEquals(202, answer.status(), answer.body());
            assertEquals("queued", answer.json().get("status").asText());
            queued.add(answer.json().get("messageId").asText());
        }
        HttpCalls.Answer full = publish(2);
        assertEquals(503, full.status(), full.body());
        assertEquals("OutboxFull", full.json().get("error").get("code").asText());

        // eastus is back but refuses xregion's credentials: a matter for an operator, not a reason to drop anything
        app.namespace("eastus").rejectSends("amqp:unauthorized-access", "rotated key");
        app.namespace("eastus").up();
        Awaitility.await().atMost(WAIT).until(() -> app.meter("xregion.servicebus.sends", "namespace", "eastus",
                "outcome", "refused") >= 3);
        assertEquals(3, outbox().depth(), "every message still waits");
        assertEquals(0.0, app.meter("xregion.servicebus.outbox.refused"));

        // put right: the small ones arrive in order; the one too large for Service Bus is set aside with the reason
        app.namespace("eastus").acceptSends();
        Awaitility.await().atMost(WAIT).until(() -> outbox().depth() == 0);
        assertEquals(List.of(queued.get(0), queued.get(2)),
                AuditSubscription.messageIds(app.namespace("eastus"), 2, WAIT));
        assertEquals(1.0, app.meter("xregion.servicebus.outbox.refused"));
        assertEquals(2.0, app.meter("xregion.servicebus.outbox.delivered"));
        try (var files = Files.list(outboxDirectory.resolve("refused"))) {
            List<Path> rejected = files.sorted().toList();
            assertEquals(2, rejected.size(), rejected.toString());
            String why = Files.readString(rejected.stream().filter(p -> p.toString().endsWith(".json")).findFirst()
                    .orElseThrow());
            assertTrue(why.contains(queued.get(1)) && why.contains("too large"), why);
        }
    }

    @Test
    void publishesWhileTheBacklogDrainsQueueBehindItSoTheOrderHolds() throws Exception {
        start(Map.of("xregion.servicebus.mode", "active"));
        app.dev("servicebus", "eastus", "down");
        app.dev("servicebus", "westus", "down");
        List<String> published = new ArrayList<>();
        for (int n = 0; n < 300; n++) {
            published.add(publish(n).json().get("messageId").asText());
        }
        app.dev("servicebus", "eastus", "up");
        // keep publishing, one after the other, while the drain empties the outbox and after
        int afterBack = 0;
        int sentDirectly = 0;
        for (int n = 300; sentDirectly < 20; n++) {
            HttpCalls.Answer answer = publish(n);
            assertEquals(202, answer.status(), answer.body());
            published.add(answer.json().get("messageId").asText());
            afterBack++;
            if (answer.json().get("status").asText().equals("sent")) {
                sentDirectly++;
            }
            assertTrue(afterBack < 5000, "the outbox never emptied");
        }
        assertTrue(afterBack > sentDirectly, "some publishes met the backlog and queued behind it");
        Awaitility.await().atMost(WAIT).until(() -> outbox().depth() == 0);
        Awaitility.await().atMost(WAIT).until(() -> app.namespace("eastus").depth("events/subscriptions/audit")
                == published.size());
        List<String> arrived = AuditSubscription.messageIds(app.namespace("eastus"), published.size(), WAIT);
        int same = 0;
        while (same < Math.min(arrived.size(), published.size()) && arrived.get(same).equals(published.get(same))) {
            same++;
        }
        assertEquals(published.size(), same, "one namespace, one publisher: Service Bus must have them in the order "
                + "they were published; " + arrived.size() + " arrived, the first " + same + " in order");
    }

    @Test
    void failedProcessingIsRetriedAndWhenItGivesUpTheMessageIsForgottenSoItsRedeliveryIsProcessed() {
        logs = closer.add(LogCapture.begin());
        start(Map.of("xregion.servicebus.mode", "active",
                "xregion.servicebus.receive.retry.max-retries", "2",
                "xregion.servicebus.receive.retry.initial-delay-ms", "200",
                "xregion.servicebus.receive.retry.max-delay-ms", "200"));
        // the default processing broadcasts to Web PubSub: with every instance down it fails
        app.dev("webpubsub", "eastus", "down");
        app.dev("webpubsub", "westus", "down");
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 503);

        assertEquals(202, publish(7).status());
        Awaitility.await().atMost(WAIT).until(() -> logs.text().contains("failed (try 2 of 3)"));
        // both copies arrived and at least one came back from Service Bus after processing gave up: only a message
        // that was forgotten on failure can still be processed, instead of being dropped as a duplicate of itself
        Awaitility.await().atMost(WAIT).until(() -> app.meter("xregion.servicebus.received") >= 3);
        assertEquals(0.0, app.meter("xregion.servicebus.processed"));

        app.dev("webpubsub", "eastus", "up");
        Awaitility.await().atMost(WAIT).until(() -> app.meter("xregion.servicebus.processed") == 1.0);
        for (String name : List.of("eastus", "westus")) {
            Awaitility.await().atMost(WAIT).until(() -> app.namespace(name).depth("events/subscriptions/xregion") == 0
                    && app.namespace(name).locked("events/subscriptions/xregion") == 0);
            assertEquals(0, app.namespace(name).deadLetterDepth("events/subscriptions/xregion"), name);
        }
        assertEquals(1.0, app.meter("xregion.servicebus.processed"), "processed once");
    }

    @Test
    void outagesFailOverButRefusalsOfTheMessageOrOfXregionDoNot() {
        start(Map.of("xregion.servicebus.mode", "passive"));
        app.namespace("eastus").rejectSends("com.microsoft:entity-disabled", "disabled");
        HttpCalls.Answer disabled = publish(0);
        assertEquals(502, disabled.status(), disabled.body());
        assertEquals("ServiceBusEntityUnavailable", disabled.json().get("error").get("code").asText());
        assertEquals(0.0, app.meter("xregion.servicebus.failovers"));

        app.namespace("eastus").rejectSends("com.microsoft:server-busy", "busy");
        HttpCalls.Answer busy = publish(1);
        assertEquals(202, busy.status(), busy.body());
        assertEquals("accepted", busy.json().get("namespaces").get("westus").asText(), busy.body());
        assertEquals(1.0, app.meter("xregion.servicebus.failovers", "to", "westus"));

        // a full entity is that namespace's trouble too: the other one may have room
        app.namespace("eastus").acceptSends();
        app.namespace("westus").rejectSends("amqp:resource-limit-exceeded", "quota exceeded");
        HttpCalls.Answer full = publish(2);
        assertEquals(202, full.status(), full.body());
        assertEquals("accepted", full.json().get("namespaces").get("eastus").asText(), full.body());
        assertEquals(1.0, app.meter("xregion.servicebus.failovers", "to", "eastus"));
    }

    @Test
    void activeReplicationReportsARefusalEvenWhenNamespaceNamesHaveDashes() {
        start(Map.of("xregion.servicebus.mode", "active", "xregion.servicebus.primary", "east-us",
                "xregion.servicebus.secondary", "west-us"));
        app.dev("servicebus", "east-us", "reject?condition=amqp:unauthorized-access");
        app.dev("servicebus", "west-us", "reject?condition=amqp:unauthorized-access");
        HttpCalls.Answer refused = publish(0);
        assertEquals(502, refused.status(), refused.body());
        assertEquals("ServiceBusUnauthorized", refused.json().get("error").get("code").asText());
        assertEquals(0, outbox().depth(), "a refusal is not queued");
    }

    @Test
    void withTheOutboxOffAPublishNoNamespaceTakesIsRefusedWith503() {
        start(Map.of("xregion.servicebus.mode", "passive", "xregion.servicebus.outbox.enabled", "false"));
        app.dev("servicebus", "eastus", "down");
        app.dev("servicebus", "westus", "down");
        HttpCalls.Answer refused = publish(0);
        assertEquals(503, refused.status(), refused.body());
        assertEquals("NoNamespaceAvailable", refused.json().get("error").get("code").asText());
        assertEquals("5", refused.header("Retry-After"));
    }
}
