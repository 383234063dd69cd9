package io.xregion.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A plain TCP connection that tells apart the four things a server can do with it: answer, say nothing, close it
 * (FIN) or reset it (RST). Partition tests need the difference, which every higher-level client blurs.
 */
public final class RawConnection implements AutoCloseable {

    /** What came back within a wait. */
    public enum Outcome {
        /** bytes arrived */
        ANSWERED,
        /** nothing at all, the connection still open */
        SILENT,
        /** an orderly close (FIN) */
        CLOSED,
        /** a TCP reset */
        RESET
    }

    /** The outcome and, when answered, the bytes. */
    public record Reply(Outcome outcome, byte[] bytes) {
        public String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return outcome + (bytes.length > 0 ? " " + Arrays.toString(bytes) : "");
        }
    }

    private final Socket socket;
    private final InputStream in;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Connects within 5 s; a refused or unanswered connect is an UncheckedIOException. */
    public static RawConnection open(String host, int port) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            return new RawConnection(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to free
            }
            throw new UncheckedIOException(e);
        }
    }

    public RawConnection write(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RawConnection write(String text) {
        return write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Up to {@code max} bytes (at least one) if any arrive within the wait; else what the connection did. */
    public Reply read(int max, Duration wait) {
        try {
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            byte[] buffer = new byte[max];
            int read = in.read(buffer);
            return read < 0 ? new Reply(Outcome.CLOSED, new byte[0])
                    : new Reply(Outcome.ANSWERED, Arrays.copyOf(buffer, read));
        } catch (SocketTimeoutException e) {
            return new Reply(Outcome.SILENT, new byte[0]);
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).toLowerCase().contains("reset")) {
                return new Reply(Outcome.RESET, new byte[0]);
            }
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a connection the server reset may complain; it is gone either way
        }
    }
}
