package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.servicebus.models.SubQueue;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.xregion.emulator.servicebus.JsServiceBusClient;
import io.xregion.testing.FrameObserver;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.LogCapture;
import io.xregion.testing.NodeSdks;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages that other producers write straight into the namespaces, with the official SDKs as most producers use
 * them (no content type), reach real WebSocket clients exactly once; one that can never be processed lands in the
 * dead-letter queue at once with its reason, read back with each SDK's dead-letter receiver, and leaves one WARN line
 * per copy and no stack trace. The app (dev profile: its local Web PubSub instances and Service Bus namespaces, active
 * replication, the topic {@code events} and its subscription {@code xregion}), @azure/service-bus 7.9.5 and
 * azure-messaging-servicebus as producers, a json.webpubsub.azure.v1 client and a plain WebSocket client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("slow")
class ForeignProducersTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SUBSCRIPTION = "events/subscriptions/xregion";
    private static final List<String> NAMESPACES = List.of("eastus", "westus");

    @TempDir
    static Path outboxDirectory;

    private RunningApp app;
    private LogCapture logs;
    private final Map<String, JsServiceBusClient> js = new HashMap<>();
    private final Map<String, ServiceBusSenderClient> javaSenders = new HashMap<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    /** What the json.webpubsub.azure.v1 client got (its messages' JSON) and what the plain client got (frames). */
    private final List<JsonNode> jsonClient = new CopyOnWriteArrayList<>();
    private final List<WsClient.Frame> plainClient = new CopyOnWriteArrayList<>();
    private final AtomicInteger markers = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        NodeSdks.install();
        logs = LogCapture.begin();
        Map<String, String> properties = new HashMap<>(RunningApp.serviceBusFaultRun(outboxDirectory));
        properties.put("xregion.servicebus.mode", "active");
        // no faults here: the default budget, so a busy machine does not cut the receivers' links
        properties.remove("xregion.servicebus.send.try-timeout-ms");
        properties.remove("xregion.servicebus.send.max-retries");
        app = RunningApp.start(properties);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
        WsClient json = WsClient.connect(negotiate("json-client"), "json.webpubsub.azure.v1");
        json.nextJson(Duration.ofSeconds(5));
        WsClient plain = WsClient.connect(negotiate("plain-client"));
        collect(json, frame -> jsonClient.add(frame.json()));
        collect(plain, plainClient::add);
        for (String name : NAMESPACES) {
            JsServiceBusClient client = JsServiceBusClient.connect(app.namespace(name), WAIT);
            closing.add(client);
            js.put(name, client);
            ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                    .connectionString(app.namespace(name).connectionString()).sender().topicName("events")
                    .buildClient();
            closing.add(sender);
            javaSenders.put(name, sender);
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable client : closing) {
            client.close();
        }
        if (app != null) {
            app.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private String negotiate(String userId) {
        return HttpCalls.get(app.url("/negotiate?userId=" + userId)).json().get("url").asText();
    }

    private void collect(WsClient client, Consumer<WsClient.Frame> into) {
        closing.add(0, FrameObserver.watching(client, into));
    }

    /** The same message into both namespaces, as active replication writes it. */
    private void sendFromJs(Map<String, Object> message) throws InterruptedException {
        for (String name : NAMESPACES) {
            js.get(name).ok("send", "entity", "events", "messages", List.of(message));
        }
    }

    private void sendFromJava(ServiceBusMessage message) {
        for (String name : NAMESPACES) {
            javaSenders.get(name).sendMessage(message);
        }
    }

    private static Map<String, Object> jsMessage(String messageId, Object body) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("messageId", messageId);
        message.put("body", body);
        return message;
    }

    private long jsonMessages(Predicate<JsonNode> wanted) {
        return jsonClient.stream().filter(m -> "message".equals(m.path("type").asText())).filter(wanted).count();
    }

    private long plainTexts(String text) {
        return plainClient.stream().filter(f -> text.equals(f.text())).count();
    }

    /**
     * Once every copy in both namespaces is settled, a marker broadcast after them reaches both clients: a second
     * delivery of anything before it would have arrived by then.
     */
    private void awaitEverythingSettled() {
        for (String name : NAMESPACES) {
            Awaitility.await().atMost(WAIT).until(() -> app.namespace(name).depth(SUBSCRIPTION) == 0
                    && app.namespace(name).locked(SUBSCRIPTION) == 0);
        }
        String marker = "marker-" + markers.incrementAndGet();
        HttpCalls.Answer sent = HttpCalls.post(app.url("/broadcast"), "text/plain", marker);
        assertEquals(202, sent.status(), sent.body());
        Awaitility.await().atMost(WAIT).until(() -> plainTexts(marker) == 1
                && jsonMessages(m -> marker.equals(m.path("data").asText())) == 1);
    }

    private double counter(String name, String... tags) {
        MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
        return meters.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aStringFromTheJavaScriptSdkWithoutContentTypeReachesClientsOnceAsItsText() throws Exception {
        // the SDK sends it as a data section holding "hello" in JSON
        sendFromJs(jsMessage("js-hello", "hello"));

        Predicate<JsonNode> hello = m -> "text".equals(m.path("dataType").asText())
                && "hello".equals(m.path("data").asText());
        Awaitility.await().atMost(WAIT).until(() -> jsonMessages(hello) >= 1 && plainTexts("hello") >= 1);
        awaitEverythingSettled();
        assertEquals(1, jsonMessages(hello), jsonClient.toString());
        assertEquals(1, plainTexts("hello"), "the plain client gets the text itself, without JSON quotes");
    }

    @Test
    void aJsonObjectFromTheJavaScriptSdkArrivesAsJson() throws Exception {
        sendFromJs(jsMessage("js-object", Map.of("greeting", "hi", "n", 2)));

        Predicate<JsonNode> object = m -> "json".equals(m.path("dataType").asText())
                && "hi".equals(m.path("data").path("greeting").asText()) && m.path("data").path("n").asInt() == 2;
        Awaitility.await().atMost(WAIT).until(() -> jsonMessages(object) >= 1);
        awaitEverythingSettled();
        assertEquals(1, jsonMessages(object));
    }

    @Test
    void amqpValueAndSequenceBodiesFromTheJavaScriptSdkAreDelivered() throws Exception {
        Map<String, Object> value = jsMessage("js-value", Map.of("kind", "value", "n", 3));
        value.put("bodyType", "value");
        Map<String, Object> text = jsMessage("js-value-text", "a value section");
        text.put("bodyType", "value");
        Map<String, Object> sequence = jsMessage("js-sequence", List.of("sequence", 4));
        sequence.put("bodyType", "sequence");
        for (Map<String, Object> message : List.of(value, text, sequence)) {
            sendFromJs(message);
        }

        Predicate<JsonNode> map = m -> "json".equals(m.path("dataType").asText())
                && "value".equals(m.path("data").path("kind").asText()) && m.path("data").path("n").asInt() == 3;
        Predicate<JsonNode> string = m -> "text".equals(m.path("dataType").asText())
                && "a value section".equals(m.path("data").asText());
        Predicate<JsonNode> list = m -> "json".equals(m.path("dataType").asText())
                && "[\"sequence\",4]".equals(m.path("data").toString());
        Awaitility.await().atMost(WAIT).until(() -> jsonMessages(map) >= 1 && jsonMessages(string) >= 1
                && jsonMessages(list) >= 1);
        awaitEverythingSettled();
        assertEquals(List.of(1L, 1L, 1L), List.of(jsonMessages(map), jsonMessages(string), jsonMessages(list)),
                jsonClient.toString());
    }

    @Test
    void javaSdkMessagesWithoutContentTypeAreDeliveredAsTextOrBytes() {
        sendFromJava(new ServiceBusMessage("hello from java").setMessageId("java-text"));
        byte[] notText = {(byte) 0xFF, 0, 1};
        sendFromJava(new ServiceBusMessage(BinaryData.fromBytes(notText)).setMessageId("java-bytes"));

        Predicate<JsonNode> text = m -> "text".equals(m.path("dataType").asText())
                && "hello from java".equals(m.path("data").asText());
        Predicate<JsonNode> bytes = m -> "binary".equals(m.path("dataType").asText())
                && Base64.getEncoder().encodeToString(notText).equals(m.path("data").asText());
        Awaitility.await().atMost(WAIT).until(() -> jsonMessages(text) >= 1 && jsonMessages(bytes) >= 1);
        awaitEverythingSettled();
        assertEquals(1, jsonMessages(text));
        assertEquals(1, jsonMessages(bytes));
        assertEquals(1, plainClient.stream().filter(f -> f.binary() != null
                && Arrays.equals(notText, f.binary())).count(), "a binary frame for bytes");
    }

    @Test
    void aMessageThatCanNeverBeProcessedIsDeadLetteredAtOnceWithItsReasonAndNoStackTrace() throws Exception {
        int before = logs.text().length();
        Map<String, Object> fromJs = jsMessage("js-not-json", null);
        fromJs.put("bodyBase64", Base64.getEncoder().encodeToString("not json".getBytes(StandardCharsets.UTF_8)));
        fromJs.put("contentType", "application/json");
        ServiceBusMessage fromJava = new ServiceBusMessage("{broken")
                .setContentType("application/json; charset=utf-8").setMessageId("java-not-json");
        // each namespace dead-letters its own copy: the MessageId of a dead-lettered copy is forgotten, so the other
        // copy, arriving after it, is looked at and dead-lettered too (one arriving while the first is looked at is
        // its duplicate in the memory store, and completed)
        for (String name : NAMESPACES) {
            js.get(name).ok("send", "entity", "events", "messages", List.of(fromJs));
            javaSenders.get(name).sendMessage(fromJava);
            Awaitility.await().atMost(WAIT).until(() -> app.namespace(name).deadLetterDepth(SUBSCRIPTION) == 2);
        }
        awaitEverythingSettled();

        // read back with the JavaScript SDK's dead-letter receiver
        JsServiceBusClient eastus = js.get("eastus");
        eastus.ok("receiver", "name", "dlq", "entity", "events", "subscription", "xregion", "subQueue", "deadLetter",
                "mode", "receiveAndDelete");
        JsonNode dead = eastus.ok("receive", "receiver", "dlq", "count", 2, "waitMs", 5000).path("messages");
        assertEquals(2, dead.size(), dead.toString());
        for (JsonNode message : dead) {
            assertEquals("InvalidJson", message.path("deadLetterReason").asText(), message.toString());
            assertTrue(message.path("deadLetterErrorDescription").asText()
                    .startsWith("The body is not JSON although its content type is application/json"), message.toString());
            assertEquals(1, message.path("deliveryCount").asInt(), "dead-lettered on its first delivery: " + message);
        }
        // and with the Java SDK's
        try (ServiceBusReceiverClient deadLetters = new ServiceBusClientBuilder()
                .connectionString(app.namespace("westus").connectionString()).receiver().topicName("events")
                .subscriptionName("xregion").subQueue(SubQueue.DEAD_LETTER_QUEUE)
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient()) {
            List<ServiceBusReceivedMessage> westus = new ArrayList<>();
            Awaitility.await().atMost(WAIT).until(() -> {
                deadLetters.receiveMessages(2, Duration.ofSeconds(2)).forEach(westus::add);
                return westus.size() == 2;
            });
            for (ServiceBusReceivedMessage message : westus) {
                assertEquals("InvalidJson", message.getDeadLetterReason(), message.getMessageId());
                assertTrue(message.getDeadLetterErrorDescription().contains("application/json"));
            }
            assertEquals(List.of("java-not-json", "js-not-json"),
                    westus.stream().map(ServiceBusReceivedMessage::getMessageId).sorted().toList());
        }

        // one WARN line per copy, naming the message, its namespace and the reason; nothing else about it
        String log = logs.text().substring(before);
        for (String messageId : List.of("js-not-json", "java-not-json")) {
            List<String> lines = log.lines().filter(line -> line.contains(messageId)).toList();
            assertEquals(2, lines.size(), log);
            for (String name : NAMESPACES) {
                String warning = "WARN io.xregion.servicebus Message " + messageId + " from " + name
                        + " is dead-lettered: InvalidJson: The body is not JSON although its content type is "
                        + "application/json: it does not parse";
                assertTrue(lines.stream().anyMatch(line -> line.startsWith(warning)), lines.toString());
            }
        }
        // a stack trace of it, or an HTTP error, would name these; the consumer's and the error handler's failure logs
        for (String absent : List.of("UnprocessableMessageException", "ApiException", "UnsupportedMediaType",
                "Error during processing exchange", "Failed delivery", "could not be")) {
            assertFalse(log.contains(absent), absent + " in " + log);
        }
        assertFalse(log.contains("failed (try"), "not tried again: " + log);
        for (String name : NAMESPACES) {
            assertEquals(2.0, counter("xregion.servicebus.dead-lettered", "namespace", name, "reason", "InvalidJson"));
        }
        assertEquals(0, jsonMessages(m -> m.toString().contains("not json") || m.toString().contains("broken")),
                "no client saw them");
    }
}
