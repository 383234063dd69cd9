package io.xregion.emulator.servicebus;

import static io.xregion.emulator.servicebus.JsServiceBusClient.ids;
import static io.xregion.emulator.servicebus.JsServiceBusClient.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.testing.Keys;
import io.xregion.testing.NodeSdks;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The official JavaScript SDK (@azure/service-bus 7.9.5, npm, rhea-based) against the emulator with its
 * {@code UseDevelopmentEmulator=true} connection string: every operation the emulator offers works, and every one it
 * leaves out is refused with an error naming it, within the client's deadline (never left hanging). One namespace and
 * one node process serve the class, each test on entities of its own; the outage test has a namespace of its own.
 * Needs node and npm (installed once into target/js-client from src/test/js/package-lock.json).
 */
@Tag("slow")
class OfficialJsServiceBusTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration LOCK = Duration.ofSeconds(2);

    private static ServiceBusEmulator namespace;
    private static JsServiceBusClient js;

    @BeforeAll
    static void start() throws InterruptedException {
        NodeSdks.install();
        namespace = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("eastus", Keys.random())
                .withQueues("orders", "settle", "deleting", "renew", "peek", "handled", "competing", "unsupported")
                .withTopic("events", "app", "audit").withLockDuration(LOCK));
        js = JsServiceBusClient.connect(namespace, WAIT);
    }

    @AfterAll
    static void stop() {
        if (js != null) {
            js.close();
        }
        if (namespace != null) {
            namespace.close();
        }
    }

    @Test
    void singleAndBatchSendsArriveAndPeekLockDeliveriesAreLockedUntilCompleted() throws Exception {
        js.ok("send", "entity", "orders", "messages", messages("a"));
        JsonNode batch = js.ok("batch", "entity", "orders", "messages", messages("b", "c", "d"));
        assertEquals(3, batch.path("added").asInt());
        assertEquals(4, namespace.depth("orders"));

        js.ok("receiver", "name", "orders", "entity", "orders");
        JsonNode received = js.ok("receive", "receiver", "orders", "count", 4).path("messages");
        assertEquals(List.of("a", "b", "c", "d"), ids(received));
        assertEquals("body of a", received.get(0).path("body").asText());
        long previous = 0;
        for (JsonNode message : received) {
            long sequence = message.path("sequenceNumber").asLong();
            assertTrue(sequence > previous, "sequence numbers grow: " + received);
            previous = sequence;
            assertEquals(0, message.path("deliveryCount").asInt());
            assertTrue(namespace.lockTokens("orders").contains(UUID.fromString(message.path("lockToken").asText())),
                    "the lock token is the broker's");
        }
        assertEquals(0, namespace.depth("orders"));
        assertEquals(4, namespace.locked("orders"));
        for (String id : List.of("a", "b", "c", "d")) {
            js.ok("settle", "receiver", "orders", "messageId", id, "action", "complete");
        }
        assertEquals(0, namespace.locked("orders"));
        assertEquals(0, namespace.depth("orders"));
    }

    @Test
    void abandonRedeliversAndADeadLetteredMessageIsReadFromTheDeadLetterQueue() throws Exception {
        js.ok("send", "entity", "settle", "messages", messages("again", "poison"));
        js.ok("receiver", "name", "settle", "entity", "settle");
        assertEquals(List.of("again", "poison"), ids(js.ok("receive", "receiver", "settle", "count", 2)
                .path("messages")));
        js.ok("settle", "receiver", "settle", "messageId", "again", "action", "abandon");
        js.ok("settle", "receiver", "settle", "messageId", "poison", "action", "deadLetter", "reason", "bad-input",
                "description", "cannot parse");
        assertEquals(1, namespace.deadLetterDepth("settle"));

        JsonNode redelivered = js.ok("receive", "receiver", "settle", "count", 1).path("messages").get(0);
        assertEquals("again", redelivered.path("messageId").asText());
        assertEquals(1, redelivered.path("deliveryCount").asInt());
        js.ok("settle", "receiver", "settle", "messageId", "again", "action", "complete");

        js.ok("receiver", "name", "settle-dlq", "entity", "settle", "subQueue", "deadLetter", "mode",
                "receiveAndDelete");
        JsonNode dead = js.ok("receive", "receiver", "settle-dlq", "count", 1).path("messages").get(0);
        assertEquals("poison", dead.path("messageId").asText());
        assertEquals("bad-input", dead.path("deadLetterReason").asText());
        assertEquals("cannot parse", dead.path("deadLetterErrorDescription").asText());
        assertEquals(0, namespace.deadLetterDepth("settle"));
        assertEquals(0, namespace.depth("settle"));
        assertEquals(0, namespace.locked("settle"));
    }

    @Test
    void receiveAndDeleteTakesMessagesWithoutLocks() throws Exception {
        js.ok("send", "entity", "deleting", "messages", messages("x", "y"));
        js.ok("receiver", "name", "deleting", "entity", "deleting", "mode", "receiveAndDelete");
        JsonNode received = js.ok("receive", "receiver", "deleting", "count", 2).path("messages");
        assertEquals(List.of("x", "y"), ids(received));
        assertTrue(received.get(0).path("lockToken").isNull(), received.toString());
        assertEquals(0, namespace.depth("deleting"));
        assertEquals(0, namespace.locked("deleting"));
    }

    @Test
    void renewMessageLockKeepsTheMessageLockedPastTheExpiryOfALockTakenAfterIt() throws Exception {
        js.ok("send", "entity", "renew", "messages", messages("long", "control"));
        js.ok("receiver", "name", "renew", "entity", "renew", "autoRenew", false);
        JsonNode message = js.ok("receive", "receiver", "renew", "count", 1).path("messages").get(0);
        JsonNode control = js.ok("receive", "receiver", "renew", "count", 1).path("messages").get(0);
        assertEquals(List.of("long", "control"), List.of(message.path("messageId").asText(),
                control.path("messageId").asText()));
        UUID token = UUID.fromString(message.path("lockToken").asText());
        UUID controlToken = UUID.fromString(control.path("lockToken").asText());

        // renewed every 300 ms, well within the 2 s lock, until the control's lock (taken after ours, never renewed)
        // has run out: ours has then outlived its first lock
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode renewed = js.ok("renew", "receiver", "renew", "messageId", "long");
            assertTrue(Instant.parse(renewed.path("after").asText()).isAfter(Instant.parse(
                    renewed.path("before").asText())), "each renewal moves the lock on: " + renewed);
            return !namespace.lockTokens("renew").contains(controlToken);
        });
        assertTrue(namespace.lockTokens("renew").contains(token), "still locked after the first expiry");
        assertEquals(1, namespace.depth("renew"), "only the control message is back in the queue");
        js.ok("settle", "receiver", "renew", "messageId", "long", "action", "complete");
        assertEquals(0, namespace.locked("renew"));
    }

    @Test
    void peekShowsMessagesFromASequenceNumberOnWithoutLockingThem() throws Exception {
        js.ok("receiver", "name", "peek", "entity", "peek");
        assertEquals(0, js.ok("peek", "receiver", "peek", "count", 5).path("messages").size(), "nothing to peek");
        js.ok("send", "entity", "peek", "messages", messages("p1", "p2", "p3"));
        js.ok("receive", "receiver", "peek", "count", 1);
        assertEquals(1, namespace.locked("peek"));

        js.ok("receiver", "name", "peeker", "entity", "peek");
        JsonNode peeked = js.ok("peek", "receiver", "peeker", "count", 10).path("messages");
        assertEquals(List.of("p1", "p2", "p3"), ids(peeked), "locked messages are peeked too");
        assertEquals("body of p2", peeked.get(1).path("body").asText());
        assertTrue(peeked.get(0).path("lockToken").isNull(), "a peeked message carries no lock");
        assertEquals(2, namespace.depth("peek"), "peeking takes nothing");
        assertEquals(1, namespace.locked("peek"), "and locks nothing");

        long second = peeked.get(1).path("sequenceNumber").asLong();
        JsonNode fromSecond = js.ok("peek", "receiver", "peeker", "count", 1, "from", second).path("messages");
        assertEquals(List.of("p2"), ids(fromSecond));
        assertEquals(List.of("p3"), ids(js.ok("peek", "receiver", "peeker", "count", 5).path("messages")),
                "the next peek goes on after the last peeked message");
    }

    @Test
    void subscribeHandsEachMessageToTheHandlerAndCompletesIt() throws Exception {
        js.ok("receiver", "name", "handled", "entity", "handled");
        js.ok("subscribe", "receiver", "handled");
        js.ok("send", "entity", "handled", "messages", messages("h1", "h2", "h3"));
        Set<String> handled = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            handled.add(js.nextMessage().path("messageId").asText());
        }
        assertEquals(Set.of("h1", "h2", "h3"), handled);
        Awaitility.await().atMost(WAIT).until(() -> namespace.locked("handled") == 0);
        assertEquals(0, namespace.depth("handled"));
        js.ok("close", "receiver", "handled");
    }

    @Test
    void aTopicMessageReachesEverySubscriptionEachSettledOnItsOwn() throws Exception {
        js.ok("send", "entity", "events", "messages", messages("news"));
        assertEquals(1, namespace.depth("events/subscriptions/app"));
        assertEquals(1, namespace.depth("events/subscriptions/audit"));
        js.ok("receiver", "name", "app", "entity", "events", "subscription", "app");
        js.ok("receiver", "name", "audit", "entity", "events", "subscription", "audit");
        assertEquals(List.of("news"), ids(js.ok("receive", "receiver", "app", "count", 1).path("messages")));
        assertEquals(List.of("news"), ids(js.ok("receive", "receiver", "audit", "count", 1).path("messages")));
        js.ok("settle", "receiver", "app", "messageId", "news", "action", "complete");
        js.ok("settle", "receiver", "audit", "messageId", "news", "action", "deadLetter", "reason", "audit-only");
        assertEquals(0, namespace.locked("events/subscriptions/app"));
        assertEquals(0, namespace.deadLetterDepth("events/subscriptions/app"));
        assertEquals(1, namespace.deadLetterDepth("events/subscriptions/audit"));
    }

    /**
     * Two app servers (a connection each) with a handler each share a queue. Messages trickle in, each sent once the
     * one before it was handled, so both wait with credit to spare (two calls at a time) when it arrives.
     */
    @Test
    void competingSubscribersEachGetAFairShare() throws Exception {
        js.ok("receiver", "name", "first", "entity", "competing", "ownConnection", true);
        js.ok("receiver", "name", "second", "entity", "competing", "ownConnection", true);
        js.ok("subscribe", "receiver", "first", "maxConcurrentCalls", 2);
        js.ok("subscribe", "receiver", "second", "maxConcurrentCalls", 2);
        Awaitility.await().atMost(WAIT).until(() -> namespace.receivers("competing") == 2);
        int total = CompetingReceiversTest.TOTAL;
        long first = 0;
        for (int i = 0; i < total; i++) {
            js.ok("send", "entity", "competing", "messages", messages("c" + i));
            JsonNode handled = js.nextMessage();
            assertEquals("c" + i, handled.path("messageId").asText());
            first += "first".equals(handled.path("receiver").asText()) ? 1 : 0;
        }
        System.out.printf("JS competing subscribers: first %d, second %d of %d%n", first, total - first, total);
        CompetingReceiversTest.assertFairShare(first, total - first, total);
        Awaitility.await().atMost(WAIT).until(() -> namespace.locked("competing") == 0);
        js.ok("close", "receiver", "first");
        js.ok("close", "receiver", "second");
    }

    // ---- what the emulator leaves out is refused, naming it, rather than left hanging

    @Test
    void sessionReceiversAreRefusedAtAttach() throws Exception {
        assertRefused(js.fails("acceptSession", "entity", "unsupported"), "sessions");
        // With a session id the SDK compares the session filter of the (refused, so empty) attach before it reads the
        // detach's error, and reports its own SessionCannotBeLocked instead of the emulator's words: refused still.
        JsonNode named = js.fails("acceptSession", "entity", "unsupported", "sessionId", "s-1");
        assertFalse(named.path("error").path("message").asText().contains("timed out"), named.toString());
        assertEquals("SessionCannotBeLocked", named.path("error").path("code").asText(), named.toString());
        assertTrue(named.path("error").path("message").asText().contains("session 's-1'"), named.toString());
    }

    @Test
    void scheduledMessagesAreRefused() throws Exception {
        assertRefused(js.fails("schedule", "entity", "unsupported", "messages", messages("later")),
                "scheduleMessages");
        assertRefused(js.fails("cancelScheduled", "entity", "unsupported", "sequenceNumbers", List.of(1)),
                "cancelScheduledMessages");
        assertEquals(0, namespace.depth("unsupported"), "nothing was scheduled or sent");
    }

    @Test
    void deferralIsRefusedAndTheMessageKeepsItsLock() throws Exception {
        js.ok("send", "entity", "unsupported", "messages", messages("defer-me"));
        js.ok("receiver", "name", "deferring", "entity", "unsupported", "autoRenew", false);
        js.ok("receive", "receiver", "deferring", "count", 1);
        assertRefused(js.fails("settle", "receiver", "deferring", "messageId", "defer-me", "action", "defer"),
                "deferMessage");
        assertEquals(1, namespace.locked("unsupported"));
        assertRefused(js.fails("receiveDeferred", "receiver", "deferring", "sequenceNumbers", List.of(1)),
                "receiveDeferredMessages");
        // the lock runs out and the message is back for any receiver
        Awaitility.await().atMost(WAIT).until(() -> namespace.depth("unsupported") == 1);
        js.ok("receiver", "name", "after-defer", "entity", "unsupported", "mode", "receiveAndDelete");
        assertEquals(List.of("defer-me"), ids(js.ok("receive", "receiver", "after-defer", "count", 1)
                .path("messages")));
    }

    @Test
    void subscriptionRulesAreRefused() throws Exception {
        assertRefused(js.fails("rules", "entity", "events", "subscription", "app", "action", "list"),
                "subscription rules");
        assertRefused(js.fails("rules", "entity", "events", "subscription", "app", "action", "create", "rule",
                "all"), "subscription rules");
        assertRefused(js.fails("rules", "entity", "events", "subscription", "app", "action", "delete", "rule",
                "$Default"), "subscription rules");
    }

    /**
     * The call failed with an error naming what is unsupported, not with a time-out. Every call's answer must come
     * within the client's deadline ({@link #WAIT}), far below the SDK's own operation timeout (60 s), so an operation
     * left hanging fails the test; how long a refusal takes is printed, never asserted.
     */
    private static void assertRefused(JsonNode answer, String naming) {
        String message = answer.path("error").path("message").asText();
        System.out.printf("refused in %d ms: %s%n", answer.path("ms").asLong(), naming);
        assertTrue(message.contains("does not support") && message.contains(naming),
                "the error names what is unsupported: " + answer);
        assertFalse(message.contains("timed out"), answer.toString());
    }

    // ---- an outage

    @Test
    void aSenderAndASubscribeHandlerKeepWorkingAfterTheNamespaceComesBack() throws Exception {
        try (ServiceBusEmulator regional = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("westus",
                Keys.random()).withQueues("orders"));
                JsServiceBusClient client = JsServiceBusClient.connect(regional, WAIT)) {
            client.ok("receiver", "name", "handler", "entity", "orders");
            client.ok("subscribe", "receiver", "handler");
            client.ok("send", "entity", "orders", "messages", messages("before"));
            assertEquals("before", client.nextMessage().path("messageId").asText());
            // completed before the outage, or the dropped connection would hand it out again
            Awaitility.await().atMost(WAIT).until(() -> regional.locked("orders") == 0);

            int port = regional.port();
            regional.down();
            regional.up();
            assertEquals(port, regional.port());
            // the same sender: the SDK notices the dropped connection, opens a new one and retries
            client.ok("send", "entity", "orders", "messages", messages("after"));
            assertEquals("after", client.nextMessage().path("messageId").asText(),
                    "the same subscribe() handler gets messages again");
            Awaitility.await().atMost(WAIT).until(() -> regional.locked("orders") == 0);
            assertEquals(0, regional.depth("orders"));
        }
    }
}
