package io.xregion.continuity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What every message history does, whatever keeps it. */
abstract class MessageHistoryContract {

    /** A history of the given count (a window far longer than any test). */
    abstract MessageHistory history(int maxMessages);

    static HistoryEntry entry(String id) {
        return new HistoryEntry(id, "text", ("data of " + id).getBytes(StandardCharsets.UTF_8));
    }

    static List<String> ids(Replay replay) {
        return replay.entries().stream().map(s -> s.entry().id()).toList();
    }

    static List<Position> append(MessageHistory history, String stream, String prefix, int count) {
        List<Position> positions = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            positions.add(history.append(stream, entry(prefix + i)));
        }
        return positions;
    }

    @Test
    void aReplayHoldsWhatFollowedThePositionInOrderAndPerStream() {
        MessageHistory history = history(100);
        List<Position> all = append(history, "all", "m", 5);
        Position bob = history.append("user:bob", entry("for bob"));
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).before(all.get(i)), all.toString());
        }
        Replay replay = history.after("all", all.get(1), 100);
        assertFalse(replay.gap());
        assertFalse(replay.more());
        assertEquals(List.of("m3", "m4", "m5"), ids(replay));
        assertEquals(all.subList(2, 5), replay.entries().stream().map(Replay.Stored::position).toList());
        assertArrayEquals("data of m3".getBytes(StandardCharsets.UTF_8), replay.entries().get(0).entry().data());
        assertEquals("text", replay.entries().get(0).entry().dataType());
        assertEquals(all.get(4), replay.latest());
        assertEquals(List.of("for bob"), ids(history.after("user:bob", Position.ZERO, 100)));
        assertEquals(bob, history.after("user:bob", null, 100).latest());
        assertEquals(List.of(), ids(history.after("all", all.get(4), 100)));
        // from the start of a stream nothing was dropped from
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), ids(history.after("all", Position.ZERO, 100)));
    }

    @Test
    void withoutAPositionTheAnswerIsTheNewestPosition() {
        MessageHistory history = history(100);
        Replay empty = history.after("group:new", null, 100);
        assertFalse(empty.gap());
        assertNull(empty.latest());
        assertFalse(history.after("group:new", Position.ZERO, 100).gap());
        List<Position> positions = append(history, "group:new", "g", 3);
        Replay now = history.after("group:new", null, 100);
        assertEquals(positions.get(2), now.latest());
        assertEquals(List.of(), ids(now));
    }

    @Test
    void aLongReplayComesInPages() {
        MessageHistory history = history(100);
        List<Position> positions = append(history, "all", "m", 5);
        Replay first = history.after("all", positions.get(0), 2);
        assertEquals(List.of("m2", "m3"), ids(first));
        assertTrue(first.more());
        Replay second = history.after("all", first.entries().get(1).position(), 2);
        assertEquals(List.of("m4", "m5"), ids(second));
        assertFalse(second.more());
    }

    @Test
    void aPositionWhoseFollowersWereDroppedIsAGap() {
        MessageHistory history = history(10);
        List<Position> positions = append(history, "all", "m", 300);
        Replay old = history.after("all", positions.get(0), 1000);
        assertTrue(old.gap());
        assertEquals(List.of(), ids(old));
        assertEquals(positions.get(299), old.latest());
        Replay recent = history.after("all", positions.get(290), 1000);
        assertFalse(recent.gap());
        assertEquals(9, recent.entries().size());
        assertEquals("m300", ids(recent).get(8));
    }

    @Test
    void aPositionInAStreamThatIsGoneIsAGap() {
        MessageHistory history = history(10);
        assertTrue(history.after("user:nobody", new Position(1_700_000_000_000L, 0), 10).gap());
    }
}
