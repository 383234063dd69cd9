package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLSocket;

import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.HttpClientOptions;
import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.azure.messaging.webpubsub.models.WebPubSubContentType;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.xregion.emulator.security.LocalTls;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.Keys;
import io.xregion.testing.RawConnection;
import io.xregion.testing.RawConnection.Outcome;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partition switch, seen from the official Java SDK, a WebSocket client and raw TCP: open connections go silent
 * without a close or a reset, new ones are accepted and never answered, and {@code up} resets what the partition
 * held and serves again.
 */
@Tag("slow")
class EmulatorPartitionTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    /**
     * How long a negative ("nothing arrives") is watched for. On loopback an answer the emulator had written would
     * arrive in well under a millisecond, so half a second of silence is not a slow answer but none.
     */
    private static final Duration SILENCE = Duration.ofMillis(500);
    /**
     * The SDK's response timeout: what a REST call waits before it gives up on an instance that says nothing (long
     * enough for the answered calls before the partition on a busy machine).
     */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(2);
    private static final String JSON = "json.webpubsub.azure.v1";
    private static final String RELIABLE = "json.reliable.webpubsub.azure.v1";

    @TempDir
    static Path certificates;
    private static LocalTls tls;

    private HttpServer eventHandler;
    private ExecutorService eventHandlerThreads;
    /** Counted down when the event handler has the held user event; it answers once {@link #release} is. */
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    /** The reasons of the disconnected events the event handler received. */
    private final BlockingQueue<String> disconnected = new LinkedBlockingQueue<>();
    private WebPubSubEmulator emulator;
    private WebPubSubServiceClient sdk;

    @BeforeEach
    void start() throws IOException {
        eventHandler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        eventHandlerThreads = Executors.newCachedThreadPool();
        eventHandler.setExecutor(eventHandlerThreads);
        eventHandler.createContext("/eventhandler", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("OPTIONS")) {
                exchange.getResponseHeaders().add("WebHook-Allowed-Origin", "*");
                exchange.sendResponseHeaders(200, -1);
            } else if ("azure.webpubsub.user.hold".equals(exchange.getRequestHeaders().getFirst("ce-type"))) {
                held.countDown();
                await(release);
                byte[] reply = "held reply".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, reply.length);
                exchange.getResponseBody().write(reply);
            } else {
                if ("azure.webpubsub.sys.disconnected".equals(exchange.getRequestHeaders().getFirst("ce-type"))) {
                    disconnected.add(WsClient.JSON.readTree(body).path("reason").asText());
                }
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        eventHandler.start();
        emulator = WebPubSubEmulator.start(EmulatorOptions.of("eastus", Keys.random()).withEventHandler(
                "http://127.0.0.1:" + eventHandler.getAddress().getPort() + "/eventhandler"));
        sdk = sdk(RESPONSE_TIMEOUT);
    }

    @AfterEach
    void stop() {
        release.countDown();
        emulator.close();
        eventHandler.stop(0);
        eventHandlerThreads.shutdownNow();
    }

    /** The official SDK with one try and a bounded wait for an answer (its default would be a minute, with retries). */
    private WebPubSubServiceClient sdk(Duration responseTimeout) {
        return new WebPubSubServiceClientBuilder().connectionString(emulator.connectionString()).hub("chat")
                .httpClient(HttpClient.createDefault(new HttpClientOptions().setResponseTimeout(responseTimeout)))
                .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1)))).buildClient();
    }

    private WsClient connect(String protocol) {
        WsClient client = WsClient.connect(sdk.getClientAccessToken(new GetClientAccessTokenOptions()).getUrl(),
                protocol);
        assertEquals("connected", client.nextJson(WAIT).get("event").asText());
        return client;
    }

    @Test
    void openConnectionsGoSilentWithoutACloseOrAReset() {
        try (WsClient client = connect(JSON)) {
            // what the client will see go unanswered is answered first
            client.sendJson(Map.of("type", "ping"));
            assertEquals("pong", client.nextJson(WAIT).get("type").asText());
            sdk.sendToAll("before", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("before", client.nextJson(WAIT).get("data").asText());
            // an event the event handler answers only once the partition has begun
            client.sendJson(Map.of("type", "event", "event", "hold", "dataType", "text", "data", "x", "ackId", 1));
            await(held);

            emulator.partition();
            assertEquals(WebPubSubEmulator.Health.PARTITIONED, emulator.health());
            long droppedBefore = emulator.droppedWrites();
            release.countDown();
            // the emulator writes the handler's reply and the ack to the client: the partition drops both
            Awaitility.await().atMost(WAIT).until(() -> emulator.droppedWrites() >= droppedBefore + 2);
            client.sendJson(Map.of("type", "ping"));
            assertNull(client.poll(SILENCE), "something reached the client through the partition");
            assertFalse(client.isClosed(), "the partition closed the client's connection");

            // the SDK's REST call on its kept-alive connection waits for an answer that never comes: a timeout,
            // not a reset or a premature close
            Exception silent = assertThrows(Exception.class,
                    () -> sdk.sendToAll("during", WebPubSubContentType.TEXT_PLAIN));
            assertTimeout(silent);
            assertEquals(2, emulator.silencedConnections(), "the client's and the SDK's connections");
            assertFalse(client.isClosed());
        }
    }

    @Test
    void newConnectionsAreAcceptedAndNeverAnswered() throws Exception {
        String health = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        try (RawConnection before = RawConnection.open("127.0.0.1", emulator.port())) {
            assertTrue(before.write(health).read(64, WAIT).text().startsWith("HTTP/1.1 200"));
        }
        emulator.partition();

        try (RawConnection probe = RawConnection.open("127.0.0.1", emulator.port())) {
            assertEquals(Outcome.SILENT, probe.write(health).read(64, SILENCE).outcome());
        }
        // the JDK's WebSocket client: the upgrade is never answered, so its handshake times out
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        CompletionException handshake = assertThrows(CompletionException.class, () -> http.newWebSocketBuilder()
                .connectTimeout(RESPONSE_TIMEOUT).subprotocols(JSON)
                .buildAsync(URI.create(sdk.getClientAccessToken(new GetClientAccessTokenOptions()).getUrl()),
                        new WebSocket.Listener() { })
                .join());
        assertTrue(handshake.getCause() instanceof HttpTimeoutException, handshake.getCause().toString());
        // a fresh SDK client (a new connection, not a pooled one) times out as well
        assertTimeout(assertThrows(Exception.class,
                () -> sdk(RESPONSE_TIMEOUT).sendToAll("during", WebPubSubContentType.TEXT_PLAIN)));
        assertTrue(emulator.silencedConnections() >= 3, "silenced: " + emulator.silencedConnections());
    }

    @Test
    void aNewTlsConnectionGetsNoHandshake() throws Exception {
        LocalTls tls = tls();
        try (WebPubSubEmulator secure = WebPubSubEmulator.start(EmulatorOptions.of("westus", Keys.random())
                .withTls(tls))) {
            try (SSLSocket before = tlsSocket(tls, secure.port())) {
                before.startHandshake();
            }
            secure.partition();
            // Vert.x's own connection hook comes after the handshake: the partition must catch the socket earlier
            try (SSLSocket during = tlsSocket(tls, secure.port())) {
                during.setSoTimeout((int) SILENCE.toMillis());
                assertThrows(SocketTimeoutException.class, during::startHandshake);
            }
        }
    }

    /**
     * Why {@link NetworkPartition} hooks Vert.x's transport (the server channel) instead of the HTTP server's
     * connection handler: Vert.x 4.5.22 calls that handler only once the TLS handshake is done (and, without TLS,
     * once the first bytes have told HTTP/1 from HTTP/2), too late to leave a new connection unanswered. When this
     * fails, Vert.x calls it earlier and the public hook might do.
     */
    @Test
    void vertxsConnectionHandlerComesAfterTheTlsHandshake() throws Exception {
        LocalTls tls = tls();
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            CompletableFuture<Boolean> handshakeDone = new CompletableFuture<>();
            io.vertx.core.http.HttpServer server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
                    .setSsl(true).setKeyCertOptions(new io.vertx.core.net.PfxOptions()
                            .setPath(tls.keyStore().toString()).setPassword(tls.password())))
                    .connectionHandler(connection -> handshakeDone.complete(connection.isSsl()
                            && ((io.vertx.core.net.impl.ConnectionBase) connection).channel().pipeline()
                                    .get(io.netty.handler.ssl.SslHandler.class).handshakeFuture().isSuccess()))
                    .requestHandler(request -> request.response().end());
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(),
                    TimeUnit.SECONDS);
            try (SSLSocket socket = tlsSocket(tls, server.actualPort())) {
                socket.startHandshake();
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                assertTrue(handshakeDone.get(WAIT.toSeconds(), TimeUnit.SECONDS),
                        "Vert.x called the connection handler before the TLS handshake was done");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** One certificate for the class: keytool is slow to start. */
    private static synchronized LocalTls tls() {
        if (tls == null) {
            tls = LocalTls.create(certificates.resolve("tls"), List.of());
        }
        return tls;
    }

    private static SSLSocket tlsSocket(LocalTls tls, int port) throws IOException {
        return (SSLSocket) tls.clientContext().getSocketFactory().createSocket("127.0.0.1", port);
    }

    @Test
    void upResetsWhatThePartitionHeldAndServesAgain() throws Exception {
        WsClient reliable = WsClient.connect(sdk.getClientAccessToken(new GetClientAccessTokenOptions()
                .addGroup("g")).getUrl(), RELIABLE);
        JsonNode connected = reliable.nextJson(WAIT);
        sdk.sendToAll("before", WebPubSubContentType.TEXT_PLAIN);
        assertEquals("before", reliable.nextJson(WAIT).get("data").asText());
        emulator.partition();
        // it sends nothing: a socket closed with unread input is reset anyway, this one only by SO_LINGER 0
        RawConnection during = RawConnection.open("127.0.0.1", emulator.port());
        Awaitility.await().atMost(WAIT).until(() -> emulator.silencedConnections() == 3);

        emulator.up();
        assertEquals(WebPubSubEmulator.Health.UP, emulator.health());
        assertEquals(0, emulator.silencedConnections());
        // a connection accepted during the partition is reset, not answered late and not closed in order
        assertEquals(Outcome.RESET, during.read(64, WAIT).outcome());
        during.close();
        // the client's connection is reset too: no close frame
        WsClient.Closed closed = reliable.awaitClose(WAIT);
        assertEquals(1006, closed.code(), closed.toString());
        // the service gave the connection up: the event handler hears it, and it cannot be recovered
        assertEquals("The connection was lost in a network partition", disconnected.poll(WAIT.toMillis(),
                TimeUnit.MILLISECONDS));
        assertEquals(0, emulator.connectionCount("chat"));
        assertEquals(0, emulator.groupMembers("chat", "g").size());
        try (WsClient recovery = WsClient.connect("ws://127.0.0.1:" + emulator.port() + "/client/hubs/chat?"
                + "awps_connection_id=" + connected.get("connectionId").asText() + "&awps_reconnection_token="
                + connected.get("reconnectionToken").asText(), RELIABLE)) {
            assertEquals(1008, recovery.awaitClose(WAIT).code());
        }

        // everything answers again, the SDK on the client it had before the partition
        assertEquals(200, HttpCalls.get(emulator.endpoint() + "/api/health").status());
        try (WsClient fresh = connect(JSON)) {
            sdk.sendToAll("after", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("after", fresh.nextJson(WAIT).get("data").asText());
        }
    }

    @Test
    void downEndsAPartitionAsItEndsAnythingAndAPartitionNeedsAnInstanceThatIsUp() {
        emulator.partition();
        emulator.partition();
        assertEquals(WebPubSubEmulator.Health.PARTITIONED, emulator.health(), "partitioning twice changes nothing");
        assertThrows(IllegalStateException.class, emulator::unhealthy);
        try (RawConnection held = RawConnection.open("127.0.0.1", emulator.port())) {
            Awaitility.await().atMost(WAIT).until(() -> emulator.silencedConnections() == 1);
            emulator.down();
            // an orderly close, as down closes every connection, where healing would have reset it
            assertEquals(Outcome.CLOSED, held.read(64, WAIT).outcome());
        }
        assertEquals(0, emulator.silencedConnections());
        assertThrows(IllegalStateException.class, emulator::partition);
        emulator.up();
        assertEquals(200, HttpCalls.get(emulator.endpoint() + "/api/health").status());
    }

    private static void assertTimeout(Exception failure) {
        Throwable cause = failure;
        StringBuilder chain = new StringBuilder();
        while (cause != null) {
            chain.append(cause.getClass().getName()).append(": ").append(cause.getMessage()).append(" <- ");
            if (cause instanceof TimeoutException) {
                return;
            }
            cause = cause.getCause();
        }
        throw new AssertionError("not a timeout: " + chain);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "not counted down within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
