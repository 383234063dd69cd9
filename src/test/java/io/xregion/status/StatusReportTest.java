package io.xregion.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.xregion.testing.HttpCalls;
import io.xregion.testing.Keys;
import io.xregion.testing.RedisServer;
import io.xregion.testing.RunningApp;
import io.xregion.testing.TestSettings;

/**
 * /observe/status.json on the management port of the real app (dev profile, passive replication, the redis duplicate
 * store with a password): every part the page shows, a namespace's loss and return as it happens, and no secret in
 * the JSON or the page's files. The namespace's loss comes last: passive replication stays on the other namespace after.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("slow")
class StatusReportTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String DEV_KEY = Keys.random();
    private static final String REDIS_PASSWORD = "redis-" + Keys.random().replaceAll("[^A-Za-z0-9]", "");

    private static RedisServer redis;
    private static RunningApp app;
    private static Path outbox;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start(REDIS_PASSWORD);
        outbox = Files.createTempDirectory("xregion-status-outbox");
        app = RunningApp.start(TestSettings.dev().fastHealth(300, 300).quickOutbox(outbox).quickNamespaceProbe()
                .redisStore(redis, "status-test")
                .with("xregion.dev.access-key", DEV_KEY)
                .with("xregion.servicebus.mode", "passive")
                .with("xregion.servicebus.dedup.redis.access-key", REDIS_PASSWORD)
                .with("xregion.status.recent-changes", "20").build());
        Awaitility.await("both instances UP").atMost(WAIT).until(() -> instanceStates().equals(List.of("UP", "UP")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void theStatusNamesEveryPartTheOperatorNeeds() {
        HttpCalls.Answer answer = HttpCalls.get(app.managementUrl("/observe/status.json"));
        assertEquals(200, answer.status(), answer.body());
        assertEquals("application/json", answer.header("Content-Type"));
        assertEquals("no-store", answer.header("Cache-Control"));
        JsonNode status = answer.json();

        assertEquals("eastus", status.get("region").asText());
        assertEquals(1000, status.get("refreshMs").asInt());
        assertEquals("UP", status.get("ready").get("state").asText(), answer.body());
        assertEquals(List.of("eastus:true:UP:UP", "westus:false:UP:UP"), strings(status.get("regions"),
                r -> r.get("name").asText() + ":" + r.get("home").asBoolean() + ":" + r.get("webpubsub").asText()
                        + ":" + r.get("servicebus").asText()));

        JsonNode webPubSub = status.get("webpubsub");
        assertEquals("chat", webPubSub.get("hub").asText());
        assertEquals(List.of("eastus:primary:UP", "westus:secondary:UP"), strings(webPubSub.get("instances"),
                i -> i.get("name").asText() + ":" + i.get("role").asText() + ":" + i.get("state").asText()));
        for (JsonNode instance : webPubSub.get("instances")) {
            assertTrue(instance.get("connections").isNull(), "xregion cannot count an instance's connections");
            assertTrue(instance.get("endpoint").asText().startsWith("http://127.0.0.1:"), instance.toString());
            assertTrue(instance.hasNonNull("since"), instance.toString());
        }
        assertTrue(webPubSub.get("connections").asText().startsWith("not known"), webPubSub.toString());

        JsonNode serviceBus = status.get("servicebus");
        assertEquals("passive", serviceBus.get("mode").asText());
        assertEquals("eastus", serviceBus.get("inUse").asText());
        assertEquals(List.of("eastus:primary", "westus:secondary"), strings(serviceBus.get("namespaces"),
                n -> n.get("name").asText() + ":" + n.get("role").asText()));

        JsonNode store = status.get("duplicateStore");
        assertEquals("redis", store.get("store").asText(), store.toString());
        assertEquals("shared", store.get("state").asText(), store.toString());
        assertEquals(redis.url().replaceFirst("^redis://", ""), store.get("endpoint").asText());
        assertEquals(0, store.get("claimsHeld").asInt());

        Awaitility.await("this single replica leads its region").atMost(WAIT).until(() ->
                status().get("failbackLeader").get("leader").asBoolean());
        JsonNode leader = status().get("failbackLeader");
        assertEquals("xregion-failback-eastus", leader.get("namespace").asText());
        assertEquals("file", leader.get("service").asText());
        assertTrue(leader.get("leaderMember").isNull(), "a lock file names no leader: " + leader);
        assertFalse(status.get("replica").asText().isBlank(), answer.body());

        JsonNode outboxStatus = status.get("outbox");
        assertTrue(outboxStatus.get("enabled").asBoolean());
        assertEquals(0, outboxStatus.get("depth").asInt());
        assertTrue(outboxStatus.get("takesMessages").asBoolean());

        // the instances' first verdicts after the start are changes too (UNKNOWN -> UP)
        assertEquals(20, status.get("recentChanges").get("limit").asInt());
        assertTrue(strings(status.get("recentChanges").get("changes"), c -> c.get("kind").asText() + ":"
                + c.get("name").asText() + ":" + c.get("from").asText() + ":" + c.get("to").asText())
                .containsAll(List.of("webpubsub:eastus:UNKNOWN:UP", "webpubsub:westus:UNKNOWN:UP")),
                status.get("recentChanges").toString());
    }

    @Test
    @Order(4)
    void aLostNamespaceShowsAsItHappensWithTheNamespaceInUseAndTheChange() {
        dev("/dev/servicebus/eastus/down");
        try {
            Awaitility.await("eastus unreachable").atMost(WAIT).until(() -> namespace("eastus").get("state").asText()
                    .equals("DOWN"));
            JsonNode eastus = namespace("eastus");
            assertFalse(eastus.get("lastError").asText().isEmpty(), eastus.toString());
            assertEquals("DOWN", region("eastus").get("servicebus").asText());
            JsonNode change = latestChange("servicebus", "eastus");
            assertEquals("UP", change.get("from").asText(), change.toString());
            assertEquals("DOWN", change.get("to").asText(), change.toString());
            assertFalse(change.get("reason").asText().isEmpty(), change.toString());

            // passive replication moves off it with the next message, and says so
            HttpCalls.Answer published = HttpCalls.post(app.url("/publish"), "application/json", "{\"n\":1}");
            assertEquals("accepted", published.json().get("namespaces").get("westus").asText(), published.body());
            assertEquals("westus", status().get("servicebus").get("inUse").asText());
        } finally {
            dev("/dev/servicebus/eastus/up");
        }
        Awaitility.await("eastus reachable again").atMost(WAIT).until(() -> namespace("eastus").get("state").asText()
                .equals("UP"));
        JsonNode back = latestChange("servicebus", "eastus");
        assertEquals("DOWN", back.get("from").asText(), back.toString());
        assertEquals("UP", back.get("to").asText(), back.toString());
        assertTrue(back.get("reason").isNull(), back.toString());
        // sticky: the namespace in use stays westus until westus fails
        assertEquals("westus", status().get("servicebus").get("inUse").asText());
    }

    @Test
    @Order(2)
    void neitherTheJsonNorThePageHoldsAKeyAConnectionStringOrAPassword() {
        List<String> secrets = new ArrayList<>(List.of(DEV_KEY, REDIS_PASSWORD));
        for (String key : List.of("xregion.webpubsub.eastus.connection-string",
                "xregion.webpubsub.westus.connection-string", "xregion.servicebus.eastus.connection-string",
                "xregion.servicebus.westus.connection-string")) {
            String connectionString = app.context().resolvePropertyPlaceholders("{{" + key + "}}");
            assertTrue(connectionString.contains(DEV_KEY), key + " holds the dev key, so looking for it means something");
            secrets.add(connectionString);
        }
        for (String path : List.of("/observe/status.json", "/observe/status", "/observe/status.js",
                "/observe/status.css", "/observe/status.svg")) {
            HttpCalls.Answer answer = HttpCalls.get(app.managementUrl(path));
            assertEquals(200, answer.status(), path);
            for (String secret : secrets) {
                assertFalse(answer.body().contains(secret), path + " shows a secret");
            }
            assertFalse(answer.body().contains("AccessKey="), path);
            assertFalse(answer.body().contains("SharedAccessKey"), path);
            assertEquals(StatusPage.CONTENT_SECURITY_POLICY, answer.header("Content-Security-Policy"), path);
        }
    }

    @Test
    @Order(3)
    void thePageLoadsNothingFromElsewhere() {
        String html = HttpCalls.get(app.managementUrl("/observe/status")).body();
        Matcher references = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
        List<String> found = new ArrayList<>();
        while (references.find()) {
            found.add(references.group(1));
        }
        assertTrue(found.containsAll(List.of("status.css", "status.js", "status.json")), found.toString());
        for (String reference : found) {
            assertFalse(reference.contains(":") || reference.startsWith("/"), "not this server's own: " + reference);
        }
        String script = HttpCalls.get(app.managementUrl("/observe/status.js")).body();
        assertFalse(script.contains("http:") || script.contains("https:"), "the script reaches elsewhere");
    }

    private static JsonNode status() {
        HttpCalls.Answer answer = HttpCalls.get(app.managementUrl("/observe/status.json"));
        assertEquals(200, answer.status(), answer.body());
        return answer.json();
    }

    private static List<String> instanceStates() {
        return strings(status().get("webpubsub").get("instances"), i -> i.get("state").asText());
    }

    private static JsonNode namespace(String name) {
        return find(status().get("servicebus").get("namespaces"), "name", name);
    }

    private static JsonNode region(String name) {
        return find(status().get("regions"), "name", name);
    }

    /** The newest change of that instance or namespace. */
    private static JsonNode latestChange(String kind, String name) {
        for (JsonNode change : status().get("recentChanges").get("changes")) {
            if (change.get("kind").asText().equals(kind) && change.get("name").asText().equals(name)) {
                return change;
            }
        }
        throw new AssertionError("no change of " + kind + " " + name + " in " + status().get("recentChanges"));
    }

    private static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode entry : list) {
            if (entry.get(field).asText().equals(value)) {
                return entry;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + list);
    }

    private static List<String> strings(JsonNode list, java.util.function.Function<JsonNode, String> each) {
        List<String> strings = new ArrayList<>();
        list.forEach(entry -> strings.add(each.apply(entry)));
        return strings;
    }

    private static void dev(String path) {
        HttpCalls.Answer answer = HttpCalls.post(app.url(path), null, null);
        assertEquals(200, answer.status(), answer.body());
    }
}
