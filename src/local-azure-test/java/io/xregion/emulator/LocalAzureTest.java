package io.xregion.emulator;

import static io.xregion.emulator.ShippedLocalAzure.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.azure.core.amqp.AmqpRetryMode;
import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.http.rest.RequestOptions;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.azure.messaging.webpubsub.models.WebPubSubContentType;
import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.emulator.localazure.CommandLine;
import io.xregion.emulator.localazure.InvalidSettingsException;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.testing.HttpCalls.Answer;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RawConnection;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The standalone local Azure in this JVM, from the shipped local-azure.properties (free ports, no event handlers):
 * bad settings stop it with a message naming the setting; the connection strings it writes work with the official
 * SDKs; its control API's switches change what those SDKs see; bad calls get a JSON 4xx.
 */
@Tag("slow")
class LocalAzureTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PROTOCOL = "json.webpubsub.azure.v1";
    /**
     * How long a negative ("no answer") is watched for: on loopback an answer would arrive within a millisecond, so
     * half a second of silence is no answer, not a slow one.
     */
    private static final Duration SILENCE = Duration.ofMillis(500);

    @TempDir
    static Path temp;
    private static LocalAzure shared;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        shared = LocalAzure.start(settings(temp.resolve("shared")));
    }

    @AfterAll
    static void stop() {
        shared.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
    }

    // ---- bad settings

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "webpubsub.eastus.prot=7000                   | webpubsub.eastus.prot: unknown setting; did you mean webpubsub.eastus.port?",
        "servicebus.westus.lock-duraton-ms=100        | servicebus.westus.lock-duraton-ms: unknown setting; did you mean servicebus.westus.lock-duration-ms?",
        "controll.port=7000                           | controll.port: unknown setting; did you mean control.port?",
        "storage.account=x                            | storage.account: unknown setting",
        "webpubsub.northeu.port=7000                  | webpubsub.northeu.port: names instance 'northeu', which webpubsub.instances does not list",
        "webpubsub.port=7000                          | webpubsub.port: a port is set per instance",
        "webpubsub.instances=eastus,westus,eastus     | webpubsub.instances: names 'eastus' twice",
        "servicebus.namespaces=eastus,West_US         | servicebus.namespaces: 'West_US' is not a valid namespace name",
        "webpubsub.instances=eastus,2nd               | webpubsub.instances: '2nd' is not a valid instance name",
        "webpubsub.eastus.access-key=notlongenough    | webpubsub.eastus.access-key: must be at least 32 characters",
        "servicebus.access-key=aaaaaaaaaaaaaaaa;bbbbbbbbbbbbbbbbbb | servicebus.access-key: must be at least 32 characters",
        "servicebus.eastus.key-name=root policy       | servicebus.eastus.key-name: must be 1 to 256 characters",
        "servicebus.eastus.subscriptions=evnts/audit  | servicebus.eastus.subscriptions: 'evnts/audit' is a subscription of topic 'evnts', which servicebus.topics does not declare (it declares events)",
        "servicebus.subscriptions=events              | servicebus.subscriptions: 'events' is not <topic>/<subscription>",
        "servicebus.westus.queues=events              | servicebus.westus.queues: 'events' is also a topic (servicebus.topics)",
        "servicebus.eastus.topics=events,Events       | servicebus.eastus.topics: declares 'Events' twice",
        "servicebus.queues=orders/eu                  | servicebus.queues: 'orders/eu' is not a valid queue name",
        "servicebus.westus.port=70000                 | servicebus.westus.port: '70000' is not a whole number from 0 to 65535",
        "webpubsub.westus.port=http                   | webpubsub.westus.port: 'http' is not a whole number from 0 to 65535",
        "servicebus.max-delivery-count=0              | servicebus.max-delivery-count: '0' is not a whole number from 1 to 2000",
        "servicebus.eastus.lock-duration-ms=1h        | servicebus.eastus.lock-duration-ms: '1h' is not a whole number from 100 to 600000",
        "webpubsub.eastus.event-handler-url=ftp://x/y | webpubsub.eastus.event-handler-url: 'ftp://x/y' is not an http:// or https:// URL",
        "webpubsub.host=0.0.0.0                       | webpubsub.host: 0.0.0.0 listens on every address but cannot go into a connection string",
        "servicebus.eastus.host=local host            | servicebus.eastus.host: 'local host' is not a host name or IPv4 address",
        "control.port=-1                              | control.port: '-1' is not a whole number from 0 to 65535",
    })
    void aBadSettingIsRefusedWithAMessageNamingIt(String override, String expected) {
        InvalidSettingsException refused = assertThrows(InvalidSettingsException.class,
                () -> LocalAzure.start(settings(temp.resolve("refused"), override)));
        assertTrue(refused.problems().stream().anyMatch(p -> p.startsWith(expected)), () -> refused.getMessage());
        String value = override.substring(override.indexOf('=') + 1);
        if (override.contains("access-key")) {
            assertFalse(refused.getMessage().contains(value), "a key's value was echoed");
        }
        assertFalse(Files.exists(temp.resolve("refused")), "nothing is written for refused settings");
    }

    @Test
    void twoFixedPortsThatCollideAreRefusedBeforeAnythingStarts() {
        int port = RunningApp.freePort();
        InvalidSettingsException refused = assertThrows(InvalidSettingsException.class, () -> LocalAzure.start(
                settings(temp.resolve("collide"), "webpubsub.eastus.port=" + port, "servicebus.westus.port=" + port)));
        assertTrue(refused.getMessage().contains("servicebus.westus.port: port " + port + " is also "
                + "webpubsub.eastus.port"), refused.getMessage());
    }

    @Test
    void nothingToStartIsRefused() {
        InvalidSettingsException refused = assertThrows(InvalidSettingsException.class, () -> LocalAzure.start(
                Map.of("webpubsub.instances", "", "servicebus.namespaces", " ")));
        assertTrue(refused.getMessage().startsWith("webpubsub.instances: nothing to start"), refused.getMessage());
    }

    @ParameterizedTest(name = "{0} in use")
    @CsvSource({"webpubsub.westus.port, Web PubSub instance 'westus'", "servicebus.eastus.port, Service Bus "
            + "namespace 'eastus'", "control.port, The control API"})
    void aPortInUseIsRefusedNamingItsSettingAndWhatStartedIsClosed(String key, String what) throws IOException {
        int started = RunningApp.freePort();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            InvalidSettingsException refused = assertThrows(InvalidSettingsException.class, () -> LocalAzure.start(
                    settings(temp.resolve("in-use"), "webpubsub.eastus.port=" + started,
                            key + "=" + taken.getLocalPort())));
            assertEquals(List.of(key + ": " + what + " cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use; choose another port, or 0 for a free one"), refused.problems());
        }
        // eastus had started before: it must not stay behind, listening
        assertFalse(listening(started), "webpubsub.eastus still listens after the failed start");
        assertFalse(Files.exists(temp.resolve("in-use/secrets")));
    }

    @Test
    void theCommandLineTakesAFileThenKeyValues() {
        InvalidSettingsException noFile = assertThrows(InvalidSettingsException.class,
                () -> CommandLine.settings(new String[] {"nowhere.properties"}, temp));
        assertTrue(noFile.getMessage().startsWith("nowhere.properties: no such settings file"), noFile.getMessage());
        InvalidSettingsException notKeyValue = assertThrows(InvalidSettingsException.class,
                () -> CommandLine.settings(new String[] {"local-azure.properties", "other.properties"}, Path.of("")));
        assertTrue(notKeyValue.getMessage().startsWith("argument 2: 'other.properties' is not key=value"),
                notKeyValue.getMessage());
        Map<String, String> settings = CommandLine.settings(new String[] {"local-azure.properties",
            "webpubsub.eastus.port=0"}, Path.of(""));
        assertEquals("0", settings.get("webpubsub.eastus.port"));
        assertEquals("eastus,westus", settings.get("webpubsub.instances"));
    }

    // ---- connection files

    @Test
    void theConnectionFilesHoldWhatTheAppReads() throws IOException {
        Path secrets = shared.files().secretsDirectory();
        try (Stream<Path> files = Files.list(secrets)) {
            assertEquals(List.of("xregion.servicebus.eastus.connection-string",
                    "xregion.servicebus.westus.connection-string", "xregion.webpubsub.eastus.connection-string",
                    "xregion.webpubsub.westus.connection-string"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        String env = Files.readString(shared.files().envFile());
        shared.connectionStrings().forEach((key, value) -> {
            assertEquals(value + "\n", read(secrets.resolve(key)));
            String variable = key.toUpperCase().replace('.', '_').replace('-', '_');
            assertTrue(env.contains("export " + variable + "='" + value + "'\n"), env);
        });
        assertTrue(env.contains("export LOCAL_AZURE_CONTROL_URL='" + shared.controlUrl() + "'\n"), env);
        assertEquals(shared.controlUrl() + "\n", read(shared.files().controlUrlFile()));
        try (Stream<Path> files = Files.list(shared.files().directory())) {
            assertEquals(List.of("control-url", "local-azure.env", "secrets"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary file is left");
        }
    }

    @Test
    void aStartReplacesStaleFilesAndAStopRemovesThem() throws IOException {
        Path output = temp.resolve("stale");
        Files.createDirectories(output.resolve("secrets"));
        Files.writeString(output.resolve("secrets/xregion.webpubsub.gone.connection-string"), "old");
        Files.writeString(output.resolve("local-azure.env"), "export OLD=1\n");
        int port;
        try (LocalAzure localAzure = LocalAzure.start(settings(output))) {
            assertFalse(Files.exists(output.resolve("secrets/xregion.webpubsub.gone.connection-string")));
            assertFalse(read(output.resolve("local-azure.env")).contains("OLD"));
            port = localAzure.emulators().webPubSub().get("eastus").port();
            assertTrue(listening(port));
        }
        assertFalse(listening(port), "closing stops every emulator");
        try (Stream<Path> files = Files.list(output)) {
            assertEquals(List.of(), files.toList(), "closing removes the connection files");
        }
    }

    @Test
    void anOutputDirectoryHoldingOtherFilesIsNotEmptied() throws IOException {
        Path output = temp.resolve("foreign");
        Files.createDirectories(output.resolve("secrets"));
        Files.writeString(output.resolve("secrets/notes.txt"), "mine");
        InvalidSettingsException refused = assertThrows(InvalidSettingsException.class,
                () -> LocalAzure.start(settings(output)));
        assertTrue(refused.getMessage().startsWith("output.directory: "), refused.getMessage());
        assertTrue(refused.getMessage().contains("[notes.txt]"), refused.getMessage());
        assertEquals("mine", read(output.resolve("secrets/notes.txt")));
    }

    // ---- the SDKs against it

    @Test
    void serviceBusSendAndReceiveWorkWithTheSdk() {
        String connectionString = secret("xregion.servicebus.westus.connection-string");
        ServiceBusSenderClient sender = sender(connectionString, "xregion-messages");
        sender.sendMessage(new ServiceBusMessage("hello queue").setMessageId("q-1"));
        ServiceBusReceivedMessage received = receiveOne(connectionString, "xregion-messages", null);
        assertEquals("q-1", received.getMessageId());
        assertEquals("hello queue", received.getBody().toString());

        sender(connectionString, "events").sendMessage(new ServiceBusMessage("hello topic").setMessageId("t-1"));
        assertEquals(1, state().at("/servicebus/westus/entities/events~1subscriptions~1xregion/depth").asInt());
        assertEquals("t-1", receiveOne(connectionString, "events", "audit").getMessageId());
        assertEquals("t-1", receiveOne(connectionString, "events", "xregion").getMessageId());
    }

    @Test
    void webPubSubRestAndClientConnectionsWorkWithTheSdk() {
        WebPubSubServiceClient sdk = new WebPubSubServiceClientBuilder()
                .connectionString(secret("xregion.webpubsub.eastus.connection-string")).hub("chat").buildClient();
        try (WsClient client = WsClient.connect(sdk.getClientAccessToken(new GetClientAccessTokenOptions()
                .setUserId("alice")).getUrl(), PROTOCOL)) {
            assertEquals("connected", client.nextJson(WAIT).get("event").asText());
            sdk.sendToAll("hello all", WebPubSubContentType.TEXT_PLAIN);
            assertEquals("hello all", client.nextJson(WAIT).get("data").asText());
            assertTrue(sdk.userExistsWithResponse("alice", new RequestOptions()).getValue());
            JsonNode eastus = state().at("/webpubsub/eastus");
            assertEquals(1, eastus.get("connections").asInt(), eastus.toString());
            assertEquals(1, eastus.at("/hubs/chat").asInt(), eastus.toString());
        }
    }

    // ---- the control API

    @Test
    void webPubSubSwitchesChangeWhatClientsSee() {
        String health = shared.emulators().webPubSub().get("westus").endpoint() + "/api/health";
        try {
            assertEquals("UNHEALTHY", control("POST", "/webpubsub/westus/unhealthy").json().at("/westus/state")
                    .asText());
            assertEquals(503, HttpCalls.get(health).status());
            assertEquals("UNHEALTHY", state().at("/webpubsub/westus/state").asText());

            assertEquals("DOWN", control("POST", "/webpubsub/westus/down").json().at("/westus/state").asText());
            assertThrows(UncheckedIOException.class, () -> HttpCalls.get(health), "a down instance refuses calls");
            assertEquals("DOWN", state().at("/webpubsub/westus/state").asText());
            assertJsonError(control("POST", "/webpubsub/westus/unhealthy"), 409);
        } finally {
            assertEquals("UP", control("POST", "/webpubsub/westus/up").json().at("/westus/state").asText());
        }
        assertEquals(200, HttpCalls.get(health).status());
    }

    @Test
    void serviceBusSwitchesChangeWhatTheSdkSees() {
        String connectionString = secret("xregion.servicebus.eastus.connection-string");
        ServiceBusSenderClient sender = sender(connectionString, "xregion-messages");
        sender.sendMessage(new ServiceBusMessage("warm-up"));
        try {
            Answer rejecting = control("POST", "/servicebus/eastus/reject?condition=com.microsoft:entity-disabled"
                    + "&description=drill%20in%20progress");
            assertEquals(200, rejecting.status(), rejecting.body());
            assertEquals("com.microsoft:entity-disabled", rejecting.json().at("/eastus/rejecting").asText());
            ServiceBusException disabled = assertThrows(ServiceBusException.class,
                    () -> sender.sendMessage(new ServiceBusMessage("refused")));
            assertEquals(ServiceBusFailureReason.MESSAGING_ENTITY_DISABLED, disabled.getReason());
            assertEquals("com.microsoft:entity-disabled", state().at("/servicebus/eastus/rejecting").asText());
            assertTrue(control("POST", "/servicebus/eastus/accept").json().at("/eastus/rejecting").isMissingNode());
            sender.sendMessage(new ServiceBusMessage("accepted again"));

            assertEquals("DOWN", control("POST", "/servicebus/eastus/down").json().at("/eastus/state").asText());
            assertThrows(RuntimeException.class, () -> sender.sendMessage(new ServiceBusMessage("during")));
            assertEquals("DOWN", state().at("/servicebus/eastus/state").asText());
            assertEquals(2, state().at("/servicebus/eastus/entities/xregion-messages/depth").asInt(),
                    "messages survive an outage");
        } finally {
            assertEquals("UP", control("POST", "/servicebus/eastus/up").json().at("/eastus/state").asText());
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            sender.sendMessage(new ServiceBusMessage("after"));
            return true;
        });
        // what this test sent stays out of the other tests' way
        receiveAll(connectionString, "xregion-messages", 3);
    }

    @Test
    void aWebPubSubPartitionLeavesCallsUnansweredUntilUp() {
        WebPubSubEmulator westus = shared.emulators().webPubSub().get("westus");
        String health = westus.endpoint() + "/api/health";
        try {
            assertEquals("PARTITIONED", control("POST", "/webpubsub/westus/partition").json().at("/westus/state")
                    .asText());
            try (RawConnection probe = RawConnection.open("127.0.0.1", westus.port())) {
                // see SILENCE: an answer on loopback would be back within a millisecond
                assertEquals(RawConnection.Outcome.SILENT, probe.write("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
                        .read(64, SILENCE).outcome());
                JsonNode partitioned = state().at("/webpubsub/westus");
                assertEquals("PARTITIONED", partitioned.get("state").asText(), partitioned.toString());
                assertTrue(partitioned.get("silencedConnections").asInt() >= 1, partitioned.toString());
            }
            assertEquals("PARTITIONED", control("POST", "/webpubsub/westus/partition").json().at("/westus/state")
                    .asText(), "partitioning twice changes nothing");
            assertJsonError(control("POST", "/webpubsub/westus/unhealthy"), 409);
        } finally {
            assertEquals("UP", control("POST", "/webpubsub/westus/up").json().at("/westus/state").asText());
        }
        assertEquals(200, HttpCalls.get(health).status());
        assertTrue(state().at("/webpubsub/westus/silencedConnections").isMissingNode());
        try {
            control("POST", "/webpubsub/westus/down");
            assertJsonError(control("POST", "/webpubsub/westus/partition"), 409);
        } finally {
            control("POST", "/webpubsub/westus/up");
        }
    }

    @Test
    void aServiceBusPartitionTimesTheSdkOutUntilUp() {
        String connectionString = secret("xregion.servicebus.eastus.connection-string");
        try {
            assertEquals("PARTITIONED", control("POST", "/servicebus/eastus/partition").json().at("/eastus/state")
                    .asText());
            // a client connecting now: accepted, never answered, so its send runs into its try-timeout
            RuntimeException silent = assertThrows(RuntimeException.class,
                    () -> sender(connectionString, "xregion-messages").sendMessage(new ServiceBusMessage("lost")));
            assertTrue(causes(silent).anyMatch(java.util.concurrent.TimeoutException.class::isInstance),
                    () -> "not a timeout: " + causes(silent).map(Throwable::toString).toList());
            JsonNode partitioned = state().at("/servicebus/eastus");
            assertEquals("PARTITIONED", partitioned.get("state").asText(), partitioned.toString());
            assertTrue(partitioned.get("silencedConnections").asInt() >= 1, partitioned.toString());
        } finally {
            assertEquals("UP", control("POST", "/servicebus/eastus/up").json().at("/eastus/state").asText());
        }
        ServiceBusSenderClient sender = sender(connectionString, "xregion-messages");
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            sender.sendMessage(new ServiceBusMessage("after"));
            return true;
        });
        // what this test sent stays out of the other tests' way
        receiveAll(connectionString, "xregion-messages",
                state().at("/servicebus/eastus/entities/xregion-messages/depth").asInt());
        try {
            control("POST", "/servicebus/eastus/down");
            assertJsonError(control("POST", "/servicebus/eastus/partition"), 409);
        } finally {
            control("POST", "/servicebus/eastus/up");
        }
    }

    @Test
    void theStateShowsEveryInstanceAndNamespaceWithoutKeys() {
        Answer answer = control("GET", "/state");
        assertEquals(200, answer.status());
        JsonNode state = answer.json();
        for (String name : List.of("eastus", "westus")) {
            assertEquals(shared.emulators().webPubSub().get(name).port(), state.at("/webpubsub/" + name + "/port")
                    .asInt());
            assertEquals(shared.emulators().serviceBus().get(name).endpoint(),
                    state.at("/servicebus/" + name + "/endpoint").asText());
            assertTrue(state.at("/webpubsub/" + name + "/connectionString").asText().contains("AccessKey=***;"));
            assertTrue(state.at("/servicebus/" + name + "/connectionString").asText()
                    .contains("SharedAccessKey=***;"));
            assertEquals(List.of("xregion-messages", "events/subscriptions/xregion", "events/subscriptions/audit"),
                    iterable(state.at("/servicebus/" + name + "/entities").fieldNames()));
        }
        shared.connectionStrings().values().forEach(value -> {
            String key = value.replaceAll(".*AccessKey=([^;]+);.*", "$1");
            assertFalse(answer.body().contains(key), "a key was answered");
        });
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "POST   | /webpubsub/nowhere/down                                  | 404",
        "POST   | /webpubsub/eastus/explode                                | 404",
        "POST   | /webpubsub/eastus                                        | 404",
        "GET    | /webpubsub/eastus/down                                   | 405",
        "POST   | /webpubsub/eastus/down?now=1                             | 400",
        "POST   | /state                                                   | 405",
        "DELETE | /state                                                   | 405",
        "GET    | /state/                                                  | 404",
        "GET    | /                                                        | 404",
        "GET    | /dev/state                                               | 404",
        "POST   | /servicebus/nowhere/down                                 | 404",
        "POST   | /servicebus/eastus/explode                               | 404",
        "PUT    | /servicebus/eastus/reject                                | 405",
        "POST   | /servicebus/eastus/reject                                | 400",
        "POST   | /servicebus/eastus/reject?condition=x                    | 400",
        "POST   | /servicebus/eastus/reject?condition=a:b&condition=c:d    | 400",
        "POST   | /servicebus/eastus/reject?conditon=com.microsoft:server-busy | 400",
        "POST   | /servicebus/eastus/reject?condition=com.microsoft:server-busy&description=%01 | 400",
        "POST   | /servicebus/eastus/down?condition=com.microsoft:server-busy | 400",
        "GET    | /webpubsub/eastus/partition                              | 405",
        "POST   | /webpubsub/nowhere/partition                             | 404",
        "POST   | /webpubsub/eastus/partition?now=1                        | 400",
        "GET    | /servicebus/eastus/partition                             | 405",
        "POST   | /servicebus/nowhere/partition                            | 404",
        "POST   | /servicebus/eastus/partition?condition=com.microsoft:server-busy | 400",
    })
    void badCallsGetA4xxWithAJsonError(String method, String path, int status) {
        Answer answer = control(method, path);
        assertJsonError(answer, status);
        if (status == 405) {
            assertTrue(List.of("GET", "POST").contains(answer.header("Allow")), answer.header("Allow"));
        }
        assertEquals(null, shared.emulators().serviceBus().get("eastus").rejecting(), "a refused call switched");
        assertEquals("UP", state().at("/webpubsub/eastus/state").asText(), "a refused call switched");
        assertEquals("UP", state().at("/servicebus/eastus/state").asText(), "a refused call switched");
    }

    @ParameterizedTest(name = "{0} {1} -> 400")
    @CsvSource(delimiter = '|', value = {
        "POST | /webpubsub/%zz/down",
        "POST | /servicebus/eastus/reject?condition=%zz",
        "GET  | /state?%",
        "POST | /webpubsub/eastus/do%2",
    })
    void malformedPercentEncodingGets400WithAJsonError(String method, String target) {
        assertJsonError(HttpCalls.raw(shared.controlUrl().toString(), method, target, Map.of()), 400);
    }

    // ---- helpers

    private static Stream<Throwable> causes(Throwable failure) {
        return Stream.iterate(failure, java.util.Objects::nonNull, Throwable::getCause);
    }

    private static Answer control(String method, String path) {
        return HttpCalls.call(method, shared.controlUrl() + path, Map.of(), null);
    }

    private static JsonNode state() {
        return control("GET", "/state").json();
    }

    private static void assertJsonError(Answer answer, int status) {
        assertEquals(status, answer.status(), answer.body());
        assertTrue(answer.header("Content-Type").startsWith("application/json"), answer.header("Content-Type"));
        assertFalse(answer.json().at("/error/code").asText().isEmpty(), answer.body());
        assertFalse(answer.json().at("/error/message").asText().isEmpty(), answer.body());
        assertFalse(answer.body().contains("\tat ") || answer.body().contains("Exception"), answer.body());
    }

    /** The connection string as an app server reads it: from the secrets directory. */
    private static String secret(String key) {
        return read(shared.files().secretsDirectory().resolve(key)).strip();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> all = new ArrayList<>();
        names.forEachRemaining(all::add);
        return all;
    }

    /** No retries and a short try: a refused send fails at once instead of after the SDK's minute. */
    private static ServiceBusClientBuilder builder(String connectionString) {
        return new ServiceBusClientBuilder().connectionString(connectionString).retryOptions(new AmqpRetryOptions()
                .setMode(AmqpRetryMode.FIXED).setMaxRetries(0).setTryTimeout(Duration.ofSeconds(3))
                .setDelay(Duration.ofSeconds(1)).setMaxDelay(Duration.ofSeconds(10)));
    }

    private ServiceBusSenderClient sender(String connectionString, String entity) {
        ServiceBusSenderClient sender = builder(connectionString).sender().queueName(entity).buildClient();
        clients.add(sender);
        return sender;
    }

    private ServiceBusReceivedMessage receiveOne(String connectionString, String entity, String subscription) {
        List<ServiceBusReceivedMessage> received = receiveAll(connectionString, entity, subscription, 1);
        assertEquals(1, received.size(), "nothing arrived in " + entity);
        return received.get(0);
    }

    private List<ServiceBusReceivedMessage> receiveAll(String connectionString, String queue, int count) {
        return receiveAll(connectionString, queue, null, count);
    }

    /** Peek-lock and complete: a receive that times out leaves credit behind that receive-and-delete would use. */
    private List<ServiceBusReceivedMessage> receiveAll(String connectionString, String entity, String subscription,
            int count) {
        ServiceBusClientBuilder.ServiceBusReceiverClientBuilder builder = builder(connectionString).receiver()
                .receiveMode(ServiceBusReceiveMode.PEEK_LOCK).disableAutoComplete();
        ServiceBusReceiverClient receiver = subscription == null ? builder.queueName(entity).buildClient()
                : builder.topicName(entity).subscriptionName(subscription).buildClient();
        clients.add(receiver);
        List<ServiceBusReceivedMessage> received = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            for (ServiceBusReceivedMessage message : receiver.receiveMessages(count - received.size(),
                    Duration.ofSeconds(2))) {
                receiver.complete(message);
                received.add(message);
            }
        }
        return received;
    }
}
