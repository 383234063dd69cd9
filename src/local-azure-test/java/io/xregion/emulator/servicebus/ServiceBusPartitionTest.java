package io.xregion.emulator.servicebus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.xregion.testing.Closer;
import io.xregion.testing.Keys;
import io.xregion.testing.RawConnection.Outcome;
import io.xregion.testing.RawConnection;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The partition switch, seen from the official Java SDK and raw TCP: a send on an open connection and one on a new
 * connection both run into the SDK's try-timeout with nothing closed or reset, a new connection's AMQP header is
 * never answered, and {@code up} resets what the partition held while the messages live on.
 */
@Tag("slow")
class ServiceBusPartitionTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /**
     * How long a negative ("no protocol header comes back") is watched for. On loopback the header the namespace
     * answers with arrives within milliseconds (the check before the partition shows it), so half a second of
     * silence is no answer, not a slow one.
     */
    private static final Duration SILENCE = Duration.ofMillis(500);
    /** The SDK's wait for one try: a send the namespace never answers fails after this. */
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(2);
    /** AMQP 1.0 with SASL (protocol id 3), what the SDK opens with and the namespace answers with. */
    private static final byte[] SASL_HEADER = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};

    @RegisterExtension
    final Closer closer = new Closer();
    private final ServiceBusEmulator namespace = closer.add(ServiceBusEmulator.start(
            ServiceBusEmulatorOptions.of("eastus", Keys.random()).withQueues("orders")));

    /** One try of {@link #TRY_TIMEOUT}: what fails, fails with the try's own outcome. */
    private ServiceBusClientBuilder builder() {
        return new ServiceBusClientBuilder().connectionString(namespace.connectionString())
                .retryOptions(ServiceBusEmulatorSdkTest.retry(0, TRY_TIMEOUT));
    }

    private ServiceBusSenderClient sender() {
        ServiceBusSenderClient sender = builder().sender().queueName("orders").buildClient();
        closer.add(sender);
        return sender;
    }

    @Test
    void aSendDuringAPartitionTimesOutInsteadOfFailingOnAReset() {
        // the SDK's first use in a JVM (class loading, its reactor) can outlast a short try on a busy machine
        ServiceBusSenderClient warmUp = new ServiceBusClientBuilder().connectionString(namespace.connectionString())
                .retryOptions(ServiceBusEmulatorSdkTest.retry(1, WAIT)).sender().queueName("orders").buildClient();
        closer.add(warmUp);
        warmUp.sendMessage(new ServiceBusMessage("warm-up").setMessageId("warm-up"));
        ServiceBusSenderClient sender = sender();
        sender.sendMessage(new ServiceBusMessage("before").setMessageId("before"));

        namespace.partition();
        assertEquals(ServiceBusEmulator.State.PARTITIONED, namespace.state());
        // the sender's open connection: the transfer goes out and nothing comes back, not even a detach
        assertTimeout(assertThrows(RuntimeException.class,
                () -> sender.sendMessage(new ServiceBusMessage("during").setMessageId("during"))));
        // a new client: its connection is accepted and its AMQP header never answered
        assertTimeout(assertThrows(RuntimeException.class,
                () -> sender().sendMessage(new ServiceBusMessage("fresh").setMessageId("fresh"))));
        assertTrue(namespace.silencedConnections() >= 2, "silenced: " + namespace.silencedConnections());
        assertEquals(2, namespace.depth("orders"), "nothing sent during the partition arrived");

        namespace.up();
        assertEquals(ServiceBusEmulator.State.UP, namespace.state());
        assertEquals(0, namespace.silencedConnections());
        // the SDK finds its connection reset and opens a new one; a send may fail while it notices
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> {
            sender.sendMessage(new ServiceBusMessage("after").setMessageId("after"));
            return true;
        });
        ServiceBusReceiverClient receiver = builder().receiver().queueName("orders")
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient();
        closer.add(receiver);
        List<String> ids = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (ids.size() < 3 && System.nanoTime() < deadline) {
            receiver.receiveMessages(3 - ids.size(), Duration.ofSeconds(2)).stream()
                    .map(ServiceBusReceivedMessage::getMessageId).forEach(ids::add);
        }
        assertEquals(List.of("warm-up", "before", "after"), ids, "what was sent before the partition survived it");
    }

    @Test
    void aNewConnectionIsAcceptedButItsProtocolHeaderIsNeverAnsweredUntilUpResetsIt() {
        try (RawConnection before = RawConnection.open("127.0.0.1", namespace.port())) {
            RawConnection.Reply reply = before.write(SASL_HEADER).read(SASL_HEADER.length, WAIT);
            assertEquals(Outcome.ANSWERED, reply.outcome());
            assertArrayEquals(SASL_HEADER, reply.bytes());
        }
        namespace.partition();
        // the connection closed just before may not be torn down yet: the partition then holds it as well
        int held = namespace.silencedConnections();

        try (RawConnection during = RawConnection.open("127.0.0.1", namespace.port());
                RawConnection idle = RawConnection.open("127.0.0.1", namespace.port())) {
            assertEquals(Outcome.SILENT, during.write(SASL_HEADER).read(SASL_HEADER.length, SILENCE).outcome());
            Awaitility.await().atMost(WAIT).until(() -> namespace.silencedConnections() == held + 2);
            namespace.up();
            assertEquals(Outcome.RESET, during.read(SASL_HEADER.length, WAIT).outcome());
            // it sent nothing: a socket closed with unread input is reset anyway, this one only by SO_LINGER 0
            assertEquals(Outcome.RESET, idle.read(SASL_HEADER.length, WAIT).outcome());
        }
        try (RawConnection after = RawConnection.open("127.0.0.1", namespace.port())) {
            assertArrayEquals(SASL_HEADER, after.write(SASL_HEADER).read(SASL_HEADER.length, WAIT).bytes());
        }
    }

    @Test
    void aPartitionNeedsANamespaceThatIsUpAndPartitioningTwiceChangesNothing() {
        namespace.partition();
        namespace.partition();
        assertEquals(ServiceBusEmulator.State.PARTITIONED, namespace.state());
        namespace.down();
        assertEquals(0, namespace.silencedConnections());
        assertThrows(IllegalStateException.class, namespace::partition);
        namespace.up();
        assertEquals(ServiceBusEmulator.State.UP, namespace.state());
    }

    /** The SDK gave up waiting (its try-timeout), rather than being told the connection was closed or reset. */
    private static void assertTimeout(RuntimeException failure) {
        StringBuilder chain = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            chain.append(cause.getClass().getName()).append(": ").append(cause.getMessage()).append(" <- ");
            if (cause instanceof TimeoutException) {
                return;
            }
        }
        throw new AssertionError("not a timeout: " + chain);
    }
}
