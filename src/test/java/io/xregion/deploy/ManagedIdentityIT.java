package io.xregion.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import io.xregion.emulator.security.LocalTls;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.emulator.webpubsub.EmulatorOptions;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.Keys;
import io.xregion.testing.LocalEntraId;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An install where the tenant's policy disables access keys: the packaged app, in its own JVM (azure-identity reads
 * IDENTITY_ENDPOINT and IDENTITY_HEADER from the environment it starts with), with no key in its settings, runs on
 * its App Service style managed identity against emulators that take Microsoft Entra ID tokens only (local auth
 * disabled, https and AMQP over TLS, trusted through the local trust store): negotiate (a client URL from
 * {@code :generateToken}), broadcast (REST with an Entra bearer token), publish to both Service Bus namespaces and
 * receive from them (a TokenCredential on {@code $cbs}) back to the connected client.
 *
 * <p>The SDK reaches a namespace with a credential at {@code <fully-qualified-namespace>:5671} and no other port, so
 * each namespace listens on 5671 of a loopback address of its own (127.0.0.x), picked free by the test.
 */
class ManagedIdentityIT {

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String JSON_PROTOCOL = "json.webpubsub.azure.v1";

    @TempDir
    Path work;
    private final List<AutoCloseable> started = new ArrayList<>();
    private Process app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.destroyForcibly();
            app.waitFor();
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        started.add(closeable);
        return closeable;
    }

    /** A namespace on 5671 of a loopback address nobody else listens on. */
    private ServiceBusEmulator namespaceOnItsOwnAddress(String name, LocalEntraId entra, LocalTls tls,
            List<String> addresses) {
        for (int attempt = 0; attempt < 20; attempt++) {
            String address = "127.0.0." + ThreadLocalRandom.current().nextInt(10, 250);
            if (!addresses.contains(address)) {
                continue;
            }
            try {
                return ServiceBusEmulator.start(ServiceBusEmulatorOptions.of(name, Keys.random()).withHost(address)
                        .withPort(5671).withTopic("events", "xregion", "audit").withEntra(entra.issuer())
                        .withLocalAuth(false).withTls(tls));
            } catch (IllegalStateException taken) {
                addresses.remove(address);
            }
        }
        throw new AssertionError("no free loopback address for 5671");
    }

    @Test
    void anInstallWithoutKeysRunsEndToEndOnItsManagedIdentity() throws Exception {
        Path jar = Path.of(System.getProperty("xregion.runnerJar", "target/xregion-0.1.0-SNAPSHOT-runner.jar"));
        assertTrue(Files.isRegularFile(jar), "run mvn verify (it packages " + jar + " first)");
        LocalEntraId entra = keep(new LocalEntraId());
        // the certificate names every loopback address a namespace may take
        List<String> addresses = new ArrayList<>();
        for (int i = 10; i < 250; i++) {
            addresses.add("127.0.0." + i);
        }
        LocalTls tls = LocalTls.create(work.resolve("tls"), addresses);
        WebPubSubEmulator eastWebPubSub = keep(WebPubSubEmulator.start(EmulatorOptions.of("east-service",
                Keys.random()).withEntra(entra.issuer()).withLocalAuth(false).withTls(tls)));
        WebPubSubEmulator westWebPubSub = keep(WebPubSubEmulator.start(EmulatorOptions.of("west-service",
                Keys.random()).withEntra(entra.issuer()).withLocalAuth(false).withTls(tls)));
        ServiceBusEmulator eastServiceBus = keep(namespaceOnItsOwnAddress("east-namespace", entra, tls, addresses));
        ServiceBusEmulator westServiceBus = keep(namespaceOnItsOwnAddress("west-namespace", entra, tls, addresses));

        Map<String, String> env = new LinkedHashMap<>();
        env.put("CAMEL_MAIN_PROFILE", "prod");
        env.put("IDENTITY_ENDPOINT", entra.identityEndpoint());
        env.put("IDENTITY_HEADER", entra.identityHeader());
        env.put("XREGION_WEBPUBSUB_EASTUS_CREDENTIAL", "managed-identity");
        env.put("XREGION_WEBPUBSUB_EASTUS_ENDPOINT", eastWebPubSub.endpoint().toString());
        env.put("XREGION_WEBPUBSUB_WESTUS_CREDENTIAL", "managed-identity");
        env.put("XREGION_WEBPUBSUB_WESTUS_ENDPOINT", westWebPubSub.endpoint().toString());
        env.put("XREGION_SERVICEBUS_EASTUS_CREDENTIAL", "managed-identity");
        env.put("XREGION_SERVICEBUS_EASTUS_FULLY_QUALIFIED_NAMESPACE", eastServiceBus.endpoint()
                .replaceAll("sb://([^:]+):.*", "$1"));
        env.put("XREGION_SERVICEBUS_WESTUS_CREDENTIAL", "managed-identity");
        env.put("XREGION_SERVICEBUS_WESTUS_FULLY_QUALIFIED_NAMESPACE", westServiceBus.endpoint()
                .replaceAll("sb://([^:]+):.*", "$1"));
        env.put("XREGION_SERVICEBUS_ENTITY", "events");
        env.put("XREGION_SERVICEBUS_ENTITY_TYPE", "topic");
        env.put("XREGION_SERVICEBUS_SUBSCRIPTION", "xregion");
        env.put("XREGION_SERVICEBUS_OUTBOX_DIRECTORY", work.resolve("outbox").toString());
        // this test names its users (issue 11's negotiate gate refuses that in production unless allowed)
        env.put("XREGION_WEBPUBSUB_NEGOTIATE_ALLOW_ANONYMOUS", "true");

        int port = RunningApp.freePort();
        int managementPort = RunningApp.freePort();
        File output = work.resolve("output.log").toFile();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + tls.trustStore(),
                "-Djavax.net.ssl.trustStorePassword=" + LocalTls.TRUST_PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-Dcamel.server.port=" + port, "-Dcamel.management.port=" + managementPort,
                "-jar", jar.toAbsolutePath().toString())
                .directory(Manifests.PROJECT.toFile()).redirectErrorStream(true).redirectOutput(output);
        builder.environment().keySet().removeIf(k -> k.startsWith("XREGION_") || k.startsWith("CAMEL_")
                || k.startsWith("IDENTITY_") || k.startsWith("AZURE_") || k.startsWith("MSI_"));
        builder.environment().putAll(env);
        app = builder.start();

        Awaitility.await().atMost(START).pollInterval(Duration.ofMillis(250))
                .ignoreException(java.io.UncheckedIOException.class).until(() -> {
                    assertTrue(app.isAlive(), () -> "the jar exited:\n" + AppLog.sofar(output));
                    return HttpCalls.get("http://127.0.0.1:" + managementPort + "/observe/health/ready").status()
                            == 200;
                });

        // negotiate: eastus's client URL, its token from eastus's :generateToken
        HttpCalls.Answer negotiate = HttpCalls.get("http://127.0.0.1:" + port + "/negotiate?userId=alice");
        assertEquals(200, negotiate.status(), negotiate.body());
        String url = negotiate.json().get("url").asText();
        assertTrue(url.startsWith("wss://127.0.0.1:" + eastWebPubSub.port() + "/client/hubs/chat?access_token="), url);
        try (WsClient alice = WsClient.connect(tls.clientContext(), url, JSON_PROTOCOL)) {
            JsonNode connected = alice.nextJson(WAIT);
            assertEquals("connected", connected.get("event").asText(), connected.toString());
            assertEquals("alice", connected.get("userId").asText());

            // broadcast: REST calls to both instances with Entra bearer tokens
            HttpCalls.Answer broadcast = HttpCalls.post("http://127.0.0.1:" + port + "/broadcast", "text/plain",
                    "hello without keys");
            assertEquals(202, broadcast.status(), broadcast.body());
            assertEquals(2, broadcast.json().get("accepted").asInt(), broadcast.body());
            assertEquals("hello without keys", nextData(alice));

            // publish to both namespaces, received (once) and broadcast back to alice
            HttpCalls.Answer published = HttpCalls.call("POST", "http://127.0.0.1:" + port + "/publish",
                    Map.of("Content-Type", "text/plain", "Idempotency-Key", "entra-1"), "published".getBytes());
            assertEquals(202, published.status(), published.body());
            assertEquals("sent", published.json().get("status").asText(), published.body());
            assertEquals("accepted", published.json().get("namespaces").get("eastus").asText(), published.body());
            assertEquals("accepted", published.json().get("namespaces").get("westus").asText(), published.body());
            assertEquals("published", nextData(alice));
        }
        // the audit subscription got the message in both namespaces: it really went through each
        Awaitility.await().atMost(WAIT).until(() -> eastServiceBus.entityCounts().get("events/subscriptions/audit")
                .depth() == 1 && westServiceBus.entityCounts().get("events/subscriptions/audit").depth() == 1);

        List<String> resources = entra.requests().stream().map(LocalEntraId.TokenRequest::resource).distinct()
                .sorted().toList();
        assertEquals(List.of("https://servicebus.azure.net", "https://webpubsub.azure.com"), resources);
        // the output is the app's and shows it working: only then does the absence of a token in it mean anything
        String log = AppLog.ofAppThatRan(output, List.of("starting with profile: production",
                "Web PubSub instance eastus is now UP"));
        assertFalse(entra.issuedTokens().isEmpty(), "the app took tokens from its managed identity");
        for (String token : entra.issuedTokens()) {
            assertFalse(log.contains(token), "an Entra token appears in the output");
        }
    }

    /** The data of the next message frame (system frames skipped). */
    private static String nextData(WsClient client) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = client.nextJson(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if ("message".equals(frame.path("type").asText())) {
                return frame.path("data").asText();
            }
        }
        throw new AssertionError("no message within " + WAIT);
    }
}
