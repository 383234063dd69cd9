package io.xregion.continuity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The history in process (the memory duplicate store's): the contract, the window by time, another process's position. */
class MemoryHistoryTest extends MessageHistoryContract {

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-12-06T07:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Override
    MessageHistory history(int maxMessages) {
        return new MemoryHistory(Duration.ofMinutes(10), maxMessages, Clock.systemUTC());
    }

    @Test
    void messagesOlderThanTheWindowAreDroppedAtTheNextWrite() {
        TestClock clock = new TestClock();
        MemoryHistory history = new MemoryHistory(Duration.ofSeconds(120), 1000, clock);
        List<Position> early = append(history, "all", "early", 3);
        clock.now = clock.now.plusSeconds(100);
        Position middle = history.append("all", entry("middle"));
        clock.now = clock.now.plusSeconds(30);
        history.append("all", entry("late"));
        assertTrue(history.after("all", early.get(0), 100).gap());
        // the client that saw the last message to leave missed nothing that left
        assertEquals(List.of("middle", "late"), ids(history.after("all", early.get(2), 100)));
        assertEquals(List.of("late"), ids(history.after("all", middle, 100)));
    }

    @Test
    void aPositionAnotherProcessGaveIsAGap() {
        MessageHistory one = history(100);
        Position theirs = new Position(12345, 7);
        one.append("all", entry("m1"));
        assertTrue(one.after("all", theirs, 100).gap());
        assertFalse(one.after("all", Position.ZERO, 100).gap());
    }
}
