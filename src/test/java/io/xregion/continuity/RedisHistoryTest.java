package io.xregion.continuity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.xregion.servicebus.dedup.RedisConnections;
import io.xregion.servicebus.dedup.RedisEndpoint;
import io.xregion.testing.RedisServer;

/**
 * The history in Redis Streams on a real redis-server: the contract, two app servers sharing it, Redis losing its
 * data (a gap, not a silent loss) and Redis going away (broadcasts go on without positions, counted).
 */
@Tag("slow")
class RedisHistoryTest extends MessageHistoryContract {

    private static RedisServer redis;
    private static int prefixes;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static RedisConnections connections() {
        return new RedisConnections(List.of(RedisEndpoint.parse(redis.url())), "", "test", Duration.ofMillis(300),
                Duration.ofMillis(500), 4);
    }

    @Override
    MessageHistory history(int maxMessages) {
        return new RedisHistory(connections(), "test" + ++prefixes + ":", Duration.ofMinutes(10), maxMessages);
    }

    @Test
    void everyAppServerReadsWhatAnyOneWrote() {
        String prefix = "shared" + ++prefixes + ":";
        MessageHistory east = new RedisHistory(connections(), prefix, Duration.ofMinutes(10), 100);
        MessageHistory west = new RedisHistory(connections(), prefix, Duration.ofMinutes(10), 100);
        Position first = east.append("all", entry("from east"));
        west.append("all", entry("from west"));
        assertEquals(List.of("from east", "from west"), ids(west.after("all", Position.ZERO, 10)));
        assertEquals(List.of("from west"), ids(east.after("all", first, 10)));
    }

    @Test
    void aRedisThatLostItsDataAnswersAGapAndOneThatIsAwayNeverHoldsABroadcast() {
        RecordingHistory history = new RecordingHistory(history(100), Duration.ofMillis(100), Clock.systemUTC());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        history.meters(meters);
        Position seen = history.append("all", entry("m1"));
        assertNotNull(seen);

        redis.stop();
        assertNull(history.append("all", entry("m2")));
        assertFalse(history.available());
        assertEquals(1.0, meters.get("xregion.continuity.history.failures").tag("operation", "write").counter()
                .count());

        // back, empty: what the client missed is gone, and it is told so
        redis.startAgain();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> history.append("all", entry("m3")) != null);
        assertTrue(history.available());
        assertTrue(history.after("all", seen, 10).gap());
    }
}
