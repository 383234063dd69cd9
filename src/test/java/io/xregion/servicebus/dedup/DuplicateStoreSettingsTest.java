package io.xregion.servicebus.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.HttpCalls;
import io.xregion.testing.LogCapture;
import io.xregion.testing.RedisServer;
import io.xregion.testing.RunningApp;

/**
 * Choosing the store by configuration, its state in /dev/state and the health details, and settings that stop
 * start-up with a message naming the property and its environment variable, never the value.
 */
@Tag("slow")
class DuplicateStoreSettingsTest {

    @TempDir
    Path outbox;

    private Map<String, String> dev(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(500, 500));
        properties.put("xregion.servicebus.outbox.directory", outbox.toString());
        properties.putAll(extra);
        return properties;
    }

    @Test
    void memoryIsTheDefault() {
        try (RunningApp app = RunningApp.start(dev(Map.of()))) {
            assertEquals("memory", HttpCalls.get(app.url("/dev/state")).json().get("dedup").get("store").asText());
            assertTrue(HttpCalls.get(app.managementUrl("/observe/health?data=true")).body()
                    .contains("\"dedup.store\":\"memory\""));
        }
    }

    @Test
    void theRedisStoreShowsItsStateAndNeverItsAccessKey() {
        String key = "visible-nowhere-" + Long.toHexString(System.nanoTime());
        try (RedisServer redis = RedisServer.start(key); LogCapture logs = LogCapture.begin();
                RunningApp app = RunningApp.start(dev(Map.of("xregion.servicebus.dedup.store", "redis",
                        "xregion.servicebus.dedup.redis.endpoints", redis.url(),
                        "xregion.servicebus.dedup.redis.access-key", key,
                        "xregion.servicebus.dedup.redis.hold-ms", "0",
                        "xregion.servicebus.dedup.redis.probe-interval-ms", "100")))) {
            JsonNode dedup = HttpCalls.get(app.url("/dev/state")).json().get("dedup");
            assertEquals("redis", dedup.get("store").asText());
            assertEquals("shared", dedup.get("state").asText());
            assertEquals("127.0.0.1:" + redis.port(), dedup.get("endpoint").asText());
            String health = HttpCalls.get(app.managementUrl("/observe/health?data=true")).body();
            assertTrue(health.contains("\"dedup.state\":\"shared\""), health);

            // a message through the store, then Redis lost: degraded (hold 0), shown as such
            assertEquals(202, HttpCalls.post(app.url("/publish"), "application/json", "{\"n\":1}").status());
            redis.stop();
            assertEquals(202, HttpCalls.post(app.url("/publish"), "application/json", "{\"n\":2}").status());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> HttpCalls.get(app.url("/dev/state")).json()
                    .get("dedup").get("state").asText().equals("degraded"));
            String degraded = HttpCalls.get(app.managementUrl("/observe/health?data=true")).body();
            assertTrue(degraded.contains("duplicates are eliminated per app server only"), degraded);
            String metrics = HttpCalls.get(app.managementUrl("/observe/metrics")).body();
            // its series carries the common tags (camelContext, region) besides its own
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith("xregion_servicebus_dedup_state{")
                    && line.contains("state=\"degraded\"") && line.endsWith(" 1.0")), metrics);
            redis.startAgain();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> HttpCalls.get(app.url("/dev/state")).json()
                    .get("dedup").get("state").asText().equals("shared"));

            for (String answer : new String[] {HttpCalls.get(app.url("/dev/state")).body(), health, degraded, metrics,
                    logs.text()}) {
                assertFalse(answer.contains(key), "the access key was shown");
            }
        }
    }

    @Test
    void badSettingsStopStartUpNamingThePropertyAndItsVariable() {
        IllegalStateException store = startFails(Map.of("xregion.servicebus.dedup.store", "memcached"));
        assertTrue(store.getMessage().contains("xregion.servicebus.dedup.store (XREGION_SERVICEBUS_DEDUP_STORE) "
                + "must be memory or redis"), store.getMessage());

        IllegalStateException none = startFails(Map.of("xregion.servicebus.dedup.store", "redis"));
        assertTrue(none.getMessage().contains("XREGION_SERVICEBUS_DEDUP_REDIS_ENDPOINTS"), none.getMessage());

        IllegalStateException password = startFails(Map.of("xregion.servicebus.dedup.store", "redis",
                "xregion.servicebus.dedup.redis.endpoints", "rediss://:hunter2@example.redis.cache.windows.net:6380"));
        assertTrue(password.getMessage().contains("must not hold a user or password"), password.getMessage());
        assertFalse(password.getMessage().contains("hunter2"));

        IllegalStateException hold = startFails(Map.of("xregion.servicebus.dedup.store", "redis",
                "xregion.servicebus.dedup.redis.endpoints", "redis://127.0.0.1:6379",
                "xregion.servicebus.dedup.redis.hold-ms", "-5"));
        assertTrue(hold.getMessage().contains("xregion.servicebus.dedup.redis.hold-ms "
                + "(XREGION_SERVICEBUS_DEDUP_REDIS_HOLD_MS) must be -1"), hold.getMessage());

        IllegalStateException firstPoll = startFails(Map.of("xregion.servicebus.dedup.store", "redis",
                "xregion.servicebus.dedup.redis.endpoints", "redis://127.0.0.1:6379",
                "xregion.servicebus.dedup.redis.first-poll-ms", "200"));
        assertTrue(firstPoll.getMessage().contains("xregion.servicebus.dedup.redis.first-poll-ms "
                + "(XREGION_SERVICEBUS_DEDUP_REDIS_FIRST_POLL_MS) must not be more than"), firstPoll.getMessage());
    }

    private IllegalStateException startFails(Map<String, String> settings) {
        RuntimeException failure = assertThrows(RuntimeException.class, () -> RunningApp.start(dev(settings)).close());
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalStateException state && state.getMessage() != null
                    && state.getMessage().contains("xregion.servicebus.dedup")) {
                return state;
            }
        }
        throw new AssertionError("no message naming the setting", failure);
    }

    @Test
    void endpointsParse() {
        RedisEndpoint azure = RedisEndpoint.parse(" rediss://xregion.eastus.redis.azure.net:10000 ");
        assertTrue(azure.tls());
        assertEquals("xregion.eastus.redis.azure.net:10000", azure.name());
        assertFalse(RedisEndpoint.parse("redis://127.0.0.1:6379").tls());
        assertThrows(IllegalStateException.class, () -> RedisEndpoint.parse("http://example:6379"));
        assertThrows(IllegalStateException.class, () -> RedisEndpoint.parse("redis://example"));
    }
}
