package io.xregion.servicebus;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable FIFO of messages on local disk: an append-only log in segment files plus a cursor that records the last
 * message taken out. A message is on disk (forced to the device) before {@link #append} returns, so it survives a
 * crash or {@code kill -9}; a record half-written by a crash is cut off on the next open. A message taken out is
 * forgotten only after the cursor is on disk, so a crash in between sends it again (with the same MessageId, which
 * the receivers' duplicate elimination absorbs): at least once, in order.
 */
public final class FileOutbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileOutbox.class);
    private static final long SEGMENT_BYTES = 32L * 1024 * 1024;
    private static final int HEADER = 8;

    /** A stored message. */
    public record Entry(long sequence, long enqueuedAtMillis, String messageId, String contentType, byte[] body) {
    }

    /** Where a message is on disk, kept in memory so bodies are only read when sent. */
    private record Position(long sequence, long enqueuedAtMillis, Path segment, long offset, int length) {
    }

    private final Path directory;
    private final boolean force;
    private final Deque<Position> pending = new ArrayDeque<>();
    private Path activeSegment;
    private FileChannel active;
    private long nextSequence;
    private long taken;
    private IOException broken;
    /** The last write, read or cursor update failed (cleared by the next that succeeds). */
    private boolean failing;
    private boolean closed;

    public FileOutbox(Path directory, boolean force) {
        this.directory = directory;
        this.force = force;
        try {
            Files.createDirectories(directory);
            taken = readCursor();
            recover();
        } catch (IOException e) {
            throw new UncheckedIOException("the outbox in " + directory + " cannot be opened", e);
        }
    }

    /**
     * Stores a message at the end; returns its sequence number once it is on disk. A write that fails (a full disk)
     * is cut off again, so nothing follows a broken record; if even that fails the outbox takes no more messages
     * until it is reopened, rather than write behind bytes it cannot vouch for.
     */
    public synchronized long append(long enqueuedAtMillis, String messageId, String contentType, byte[] body) {
        if (broken != null) {
            throw new UncheckedIOException("the outbox stopped taking messages after a failed write", broken);
        }
        if (closed) {
            throw new UncheckedIOException(new IOException("the outbox is closed"));
        }
        long sequence = nextSequence;
        byte[] payload = encode(new Entry(sequence, enqueuedAtMillis, messageId, contentType, body));
        long offset = -1;
        try {
            if (active == null || active.size() >= SEGMENT_BYTES) {
                roll(sequence);
            }
            offset = active.size();
            ByteBuffer record = ByteBuffer.allocate(HEADER + payload.length);
            record.putInt(payload.length).putInt(crc(payload)).put(payload).flip();
            while (record.hasRemaining()) {
                active.write(record, offset + record.position());
            }
            if (force) {
                active.force(false);
            }
        } catch (IOException e) {
            failing = true;
            cutOff(offset, e);
            throw new UncheckedIOException("the outbox cannot store a message", e);
        }
        failing = false;
        nextSequence++;
        pending.addLast(new Position(sequence, enqueuedAtMillis, activeSegment, offset, payload.length));
        return sequence;
    }

    private void cutOff(long offset, IOException failure) {
        if (offset < 0 || active == null) {
            return;
        }
        try {
            active.truncate(offset);
            if (force) {
                active.force(false);
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
            broken = failure;
            LOG.error("The outbox could not undo a failed write; it takes no more messages until restarted: {}",
                    e.toString());
        }
    }

    /** The oldest message, or null when the outbox is empty. */
    public synchronized Entry head() {
        List<Entry> head = peek(1, Long.MAX_VALUE);
        return head.isEmpty() ? null : head.get(0);
    }

    /**
     * The oldest messages, in order: at most {@code maxCount}, and no more bodies than {@code maxBodyBytes} in all
     * (but always the oldest one, however large). Empty when the outbox is.
     */
    public synchronized List<Entry> peek(int maxCount, long maxBodyBytes) {
        List<Entry> entries = new ArrayList<>();
        long bytes = 0;
        FileChannel channel = null;
        Path open = null;
        try {
            for (Position position : pending) {
                if (entries.size() >= maxCount) {
                    break;
                }
                if (!position.segment().equals(open)) {
                    if (channel != null) {
                        channel.close();
                    }
                    channel = FileChannel.open(position.segment(), StandardOpenOption.READ);
                    open = position.segment();
                }
                ByteBuffer payload = ByteBuffer.allocate(position.length());
                while (payload.hasRemaining()) {
                    if (channel.read(payload, position.offset() + HEADER + payload.position()) < 0) {
                        throw new IOException("segment ended early");
                    }
                }
                Entry entry = decode(payload.array());
                if (!entries.isEmpty() && bytes + entry.body().length > maxBodyBytes) {
                    break;
                }
                bytes += entry.body().length;
                entries.add(entry);
            }
            failing = false;
            return entries;
        } catch (IOException e) {
            failing = true;
            throw new UncheckedIOException("the outbox cannot read its oldest messages", e);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("closing a segment: {}", e.toString());
                }
            }
        }
    }

    /**
     * Takes every message up to and including this sequence number out, with one write of the cursor; segments
     * left without messages are deleted. Nothing happens for messages already taken out.
     */
    public synchronized void removeThrough(long sequence) {
        Position head = pending.peekFirst();
        if (head == null || head.sequence() > sequence) {
            return;
        }
        try {
            writeCursor(sequence);
            taken = sequence;
            java.util.Set<Path> emptied = new java.util.LinkedHashSet<>();
            while (!pending.isEmpty() && pending.peekFirst().sequence() <= sequence) {
                emptied.add(pending.pollFirst().segment());
            }
            Position next = pending.peekFirst();
            for (Path segment : emptied) {
                if (!segment.equals(activeSegment) && (next == null || !next.segment().equals(segment))) {
                    Files.deleteIfExists(segment);
                }
            }
            failing = false;
        } catch (IOException e) {
            failing = true;
            throw new UncheckedIOException("the outbox cannot record delivered messages", e);
        }
    }

    public synchronized int depth() {
        return pending.size();
    }

    /** When the oldest message was stored (epoch millis), or -1 when empty. */
    public synchronized long oldestEnqueuedAtMillis() {
        Position head = pending.peekFirst();
        return head == null ? -1 : head.enqueuedAtMillis();
    }

    /**
     * It cannot write or read its files: it stopped taking messages after a write it could not undo, or its last
     * write, read or cursor update failed.
     */
    public synchronized boolean broken() {
        return broken != null || failing;
    }

    public synchronized boolean closed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            if (active != null) {
                active.close();
            }
        } catch (IOException e) {
            LOG.warn("closing the outbox: {}", e.getMessage());
        }
    }

    // ---- recovery

    private void recover() throws IOException {
        List<Path> segments;
        try (Stream<Path> files = Files.list(directory)) {
            segments = files.filter(p -> p.getFileName().toString().matches("segment-\\d{20}\\.log")).sorted().toList();
        }
        long highest = taken;
        for (int i = 0; i < segments.size(); i++) {
            Path segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            long valid = 0;
            boolean anyPending = false;
            try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
                long size = channel.size();
                while (valid + HEADER <= size) {
                    ByteBuffer header = ByteBuffer.allocate(HEADER);
                    channel.read(header, valid);
                    header.flip();
                    int length = header.getInt();
                    int crc = header.getInt();
                    if (length <= 0 || valid + HEADER + length > size) {
                        break;
                    }
                    ByteBuffer payload = ByteBuffer.allocate(length);
                    channel.read(payload, valid + HEADER);
                    if (crc(payload.array()) != crc) {
                        break;
                    }
                    Entry entry = decode(payload.array());
                    highest = Math.max(highest, entry.sequence());
                    if (entry.sequence() > taken) {
                        pending.addLast(new Position(entry.sequence(), entry.enqueuedAtMillis(), segment, valid,
                                length));
                        anyPending = true;
                    }
                    valid += HEADER + length;
                }
                if (valid < size) {
                    if (last && tornTail(channel, valid, size)) {
                        LOG.warn("Outbox segment {} ends with {} bytes of an interrupted write; they are cut off",
                                segment.getFileName(), size - valid);
                    } else {
                        Path copy = segment.resolveSibling(segment.getFileName() + ".damaged");
                        Files.copy(segment, copy, StandardCopyOption.REPLACE_EXISTING);
                        LOG.error("Outbox segment {} is damaged after {} of its {} bytes; the messages before that are "
                                + "kept, the whole segment is copied to {} for recovery by hand",
                                segment.getFileName(), valid, size, copy.getFileName());
                    }
                }
            }
            if (valid < Files.size(segment)) {
                try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    channel.truncate(valid);
                }
            }
            if (last) {
                activeSegment = segment;
                active = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.READ);
            } else if (!anyPending) {
                Files.deleteIfExists(segment);
            }
        }
        nextSequence = highest + 1;
        if (!pending.isEmpty()) {
            LOG.info("Outbox in {} holds {} messages from before the restart", directory, pending.size());
        }
    }

    /**
     * Whether the bytes after the last good record are what a crash mid-append leaves: a header cut short, or a
     * record that claims more bytes than the file holds. A complete record with a bad checksum is damage.
     */
    private static boolean tornTail(FileChannel channel, long valid, long size) throws IOException {
        if (size - valid < HEADER) {
            return true;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        channel.read(header, valid);
        header.flip();
        int length = header.getInt();
        return length <= 0 || valid + HEADER + length > size;
    }

    private void roll(long firstSequence) throws IOException {
        if (active != null) {
            FileChannel previousChannel = active;
            active = null;
            previousChannel.close();
            Path previous = activeSegment;
            if (pending.stream().noneMatch(p -> p.segment().equals(previous))) {
                Files.deleteIfExists(previous);
            }
        }
        activeSegment = directory.resolve(String.format("segment-%020d.log", firstSequence));
        active = FileChannel.open(activeSegment, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        forceDirectory();
    }

    // ---- cursor

    private long readCursor() throws IOException {
        Path cursor = directory.resolve("cursor");
        if (!Files.exists(cursor)) {
            return 0;
        }
        byte[] bytes = Files.readAllBytes(cursor);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (bytes.length != 12) {
            throw new IOException("the outbox cursor is damaged");
        }
        long sequence = buffer.getLong();
        if (crc(ByteBuffer.allocate(8).putLong(sequence).array()) != buffer.getInt()) {
            throw new IOException("the outbox cursor is damaged");
        }
        return sequence;
    }

    private void writeCursor(long sequence) throws IOException {
        byte[] value = ByteBuffer.allocate(8).putLong(sequence).array();
        ByteBuffer record = ByteBuffer.allocate(12).put(value).putInt(crc(value)).flip();
        Path temporary = directory.resolve("cursor.tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(record);
            if (force) {
                channel.force(false);
            }
        }
        Files.move(temporary, directory.resolve("cursor"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        if (force) {
            forceDirectory();
        }
    }

    /** New and renamed files are durable only once their directory is. */
    private void forceDirectory() {
        if (!force) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems cannot force a directory; the files themselves are forced
        }
    }

    // ---- records

    private static byte[] encode(Entry entry) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(entry.body().length + 128);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(entry.sequence());
            out.writeLong(entry.enqueuedAtMillis());
            out.writeUTF(entry.messageId());
            out.writeUTF(entry.contentType() == null ? "" : entry.contentType());
            out.writeInt(entry.body().length);
            out.write(entry.body());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Entry decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        long sequence = in.readLong();
        long enqueuedAt = in.readLong();
        String messageId = in.readUTF();
        String contentType = in.readUTF();
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return new Entry(sequence, enqueuedAt, messageId, contentType.isEmpty() ? null : contentType, body);
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /** The segment files, for tests. */
    List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return new ArrayList<>(files.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted()
                    .toList());
        }
    }
}
