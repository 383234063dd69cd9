package io.xregion.emulator.servicebus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.azure.core.amqp.models.AmqpMessageBody;
import com.azure.core.amqp.models.AmqpMessageBodyType;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.xregion.testing.Keys;
import io.xregion.testing.NodeSdks;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The emulator keeps a message's AMQP body section as the producer wrote it: what the official JavaScript SDK sends
 * as a value, a sequence or a data section (its default, JSON-encoded) reaches the official Java SDK as that section,
 * with its content type, as from Service Bus.
 */
@Tag("slow")
class BodySectionsTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private static Map<String, Object> message(String messageId, Object body, String bodyType, String contentType) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("messageId", messageId);
        message.put("body", body);
        if (bodyType != null) {
            message.put("bodyType", bodyType);
        }
        if (contentType != null) {
            message.put("contentType", contentType);
        }
        return message;
    }

    @Test
    void valueSequenceAndDataSectionsFromTheJavaScriptSdkReachTheJavaSdkAsSent() throws Exception {
        NodeSdks.install();
        try (ServiceBusEmulator namespace = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("eastus",
                Keys.random()).withQueues("sections"));
                JsServiceBusClient js = JsServiceBusClient.connect(namespace, WAIT);
                ServiceBusReceiverClient receiver = new ServiceBusClientBuilder()
                        .connectionString(namespace.connectionString()).receiver().queueName("sections")
                        .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient()) {
            js.ok("send", "entity", "sections", "messages", List.of(
                    message("value", Map.of("n", 1), "value", "application/json"),
                    message("sequence", List.of("a", "b"), "sequence", null),
                    message("data", "hello", null, null)));

            List<ServiceBusReceivedMessage> received = new ArrayList<>();
            Awaitility.await().atMost(WAIT).until(() -> {
                receiver.receiveMessages(3, Duration.ofSeconds(1)).forEach(received::add);
                return received.size() == 3;
            });
            AmqpMessageBody value = received.get(0).getRawAmqpMessage().getBody();
            assertEquals(AmqpMessageBodyType.VALUE, value.getBodyType());
            assertEquals(1, ((Number) ((Map<?, ?>) value.getValue()).get("n")).intValue());
            assertEquals("application/json", received.get(0).getContentType());

            AmqpMessageBody sequence = received.get(1).getRawAmqpMessage().getBody();
            assertEquals(AmqpMessageBodyType.SEQUENCE, sequence.getBodyType());
            assertEquals(List.of("a", "b"), sequence.getSequence());

            AmqpMessageBody data = received.get(2).getRawAmqpMessage().getBody();
            assertEquals(AmqpMessageBodyType.DATA, data.getBodyType());
            assertArrayEquals("\"hello\"".getBytes(StandardCharsets.UTF_8), data.getFirstData(),
                    "the JavaScript SDK JSON-encodes a string body");
            assertNull(received.get(2).getContentType());
        }
    }
}
