package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox keeps messages in order across restarts and survives a write cut short by a crash. */
class FileOutboxTest {

    @TempDir
    Path directory;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void messagesComeOutInOrderAndSurviveAReopen() {
        try (FileOutbox outbox = new FileOutbox(directory, true)) {
            for (int i = 0; i < 5; i++) {
                outbox.append(1000 + i, "id-" + i, i % 2 == 0 ? "text/plain" : null, utf8("body-" + i));
            }
            FileOutbox.Entry first = outbox.head();
            assertEquals("id-0", first.messageId());
            assertEquals("text/plain", first.contentType());
            outbox.removeThrough(first.sequence());
            outbox.removeThrough(first.sequence()); // a second removal of the same message changes nothing
            assertEquals(4, outbox.depth());
            assertEquals(1001, outbox.oldestEnqueuedAtMillis());
        }
        try (FileOutbox reopened = new FileOutbox(directory, true)) {
            assertEquals(4, reopened.depth());
            for (int i = 1; i < 5; i++) {
                FileOutbox.Entry entry = reopened.head();
                assertEquals("id-" + i, entry.messageId());
                assertArrayEquals(utf8("body-" + i), entry.body());
                assertEquals(i % 2 == 0 ? "text/plain" : null, entry.contentType());
                reopened.removeThrough(entry.sequence());
            }
            assertNull(reopened.head());
            long next = reopened.append(2000, "after", "text/plain", utf8("x"));
            assertEquals(6, next, "sequence numbers never go back, even when the outbox was empty");
        }
    }

    @Test
    void aRecordCutShortByACrashIsDroppedAndTheRestKept() throws Exception {
        try (FileOutbox outbox = new FileOutbox(directory, true)) {
            outbox.append(1, "kept-1", "text/plain", utf8("a"));
            outbox.append(2, "kept-2", "text/plain", utf8("b"));
        }
        Path segment = Files.list(directory).filter(p -> p.getFileName().toString().startsWith("segment-"))
                .findFirst().orElseThrow();
        long intact = Files.size(segment);
        // half a record: a length and a few bytes, as a kill -9 in the middle of a write would leave
        Files.write(segment, new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 5}, StandardOpenOption.APPEND);
        try (FileOutbox recovered = new FileOutbox(directory, true)) {
            assertEquals(2, recovered.depth());
            assertEquals(intact, Files.size(segment), "the torn tail is cut off");
            recovered.append(3, "after-crash", "text/plain", utf8("c"));
        }
        try (FileOutbox again = new FileOutbox(directory, true)) {
            assertEquals(3, again.depth());
            assertEquals("kept-1", again.head().messageId());
        }
    }

    @Test
    void aCorruptedRecordEndsTheReadableLog() throws Exception {
        try (FileOutbox outbox = new FileOutbox(directory, false)) {
            outbox.append(1, "good", "text/plain", utf8("a"));
            outbox.append(2, "bad", "text/plain", utf8("b"));
        }
        Path segment = Files.list(directory).filter(p -> p.getFileName().toString().startsWith("segment-"))
                .findFirst().orElseThrow();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 1] ^= 0x5A; // flip a bit in the last record's body: its CRC no longer matches
        Files.write(segment, bytes);
        try (FileOutbox recovered = new FileOutbox(directory, false)) {
            assertEquals(1, recovered.depth());
            assertEquals("good", recovered.head().messageId());
        }
        // damage is not a torn write: the segment as it was is kept for recovery by hand
        assertArrayEquals(bytes, Files.readAllBytes(segment.resolveSibling(segment.getFileName() + ".damaged")));
    }

    @Test
    void theOldestMessagesComeOutAsABatchWithinItsLimitsAndLeaveTogether() {
        try (FileOutbox outbox = new FileOutbox(directory, true)) {
            for (int i = 0; i < 10; i++) {
                outbox.append(i, "m" + i, "text/plain", new byte[100]);
            }
            assertEquals(java.util.List.of("m0", "m1", "m2", "m3"), outbox.peek(4, 10_000).stream()
                    .map(FileOutbox.Entry::messageId).toList());
            assertEquals(java.util.List.of("m0", "m1"), outbox.peek(100, 250).stream()
                    .map(FileOutbox.Entry::messageId).toList(), "two bodies fit in 250 bytes");
            assertEquals(1, outbox.peek(100, 10).size(), "the oldest comes out however large");
            outbox.removeThrough(outbox.peek(4, 10_000).get(3).sequence());
            assertEquals(6, outbox.depth());
            assertEquals("m4", outbox.head().messageId());
        }
        try (FileOutbox reopened = new FileOutbox(directory, true)) {
            assertEquals(6, reopened.depth(), "one cursor write took the batch out for good");
        }
    }

    @Test
    void fullyDeliveredSegmentsAreDeleted() throws Exception {
        try (FileOutbox outbox = new FileOutbox(directory, false)) {
            byte[] large = new byte[4 * 1024 * 1024];
            for (int i = 0; i < 10; i++) {
                outbox.append(i, "m" + i, "application/octet-stream", large);
            }
            assertEquals(2, outbox.segments().size(), "32 MB segments: 40 MB of messages need two");
            for (int i = 0; i < 9; i++) {
                outbox.removeThrough(outbox.head().sequence());
            }
            assertEquals(1, outbox.segments().size(), "the first segment went once all its messages were out");
        }
    }
}
