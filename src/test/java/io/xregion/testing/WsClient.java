package io.xregion.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real WebSocket client (the JDK's) that queues what it receives, so tests can wait for a frame with a deadline.
 */
public final class WsClient implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A received frame: text, or binary when {@code binary} is not null. */
    public record Frame(String text, byte[] binary) {
        public JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }
    }

    /** How the connection ended: the close frame's code and reason (1006 when it dropped without one), and when. */
    public record Closed(int code, String reason, long atNanos) {
        Closed(int code, String reason) {
            this(code, reason, System.nanoTime());
        }
    }

    private static final Duration PROBE_EVERY = Duration.ofMillis(250);

    private final WebSocket socket;
    private final BlockingQueue<Frame> frames;
    private final CompletableFuture<Closed> closed;

    private WsClient(WebSocket socket, BlockingQueue<Frame> frames, CompletableFuture<Closed> closed) {
        this.socket = socket;
        this.frames = frames;
        this.closed = closed;
    }

    /** Connects; throws {@link HandshakeRefused} with the HTTP status when the server refuses the upgrade. */
    public static WsClient connect(String url, String... subprotocols) {
        return connect(HTTP, url, subprotocols);
    }

    /** Over wss to a server with this TLS client side (e.g. one trusting the local Azure's certificate). */
    public static WsClient connect(javax.net.ssl.SSLContext tls, String url, String... subprotocols) {
        return connect(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build(), url,
                subprotocols);
    }

    private static WsClient connect(HttpClient http, String url, String... subprotocols) {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        CompletableFuture<Closed> closed = new CompletableFuture<>();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    frames.add(new Frame(text.toString(), null));
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                binary.writeBytes(chunk);
                if (last) {
                    frames.add(new Frame(null, binary.toByteArray()));
                    binary = new java.io.ByteArrayOutputStream();
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closed.complete(new Closed(statusCode, reason));
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closed.complete(new Closed(1006, String.valueOf(error.getMessage())));
            }
        };
        try {
            WebSocket socket = builder.buildAsync(URI.create(url), listener).join();
            return new WsClient(socket, frames, closed);
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                throw new HandshakeRefused(refused.getResponse().statusCode());
            }
            throw e;
        }
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }

    /** The next frame, or an AssertionError after the deadline. */
    public Frame next(Duration deadline) {
        try {
            Frame frame = frames.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within " + deadline);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public JsonNode nextJson(Duration deadline) {
        return next(deadline).json();
    }

    /** The next frame if one arrives within the wait, else null. */
    public Frame poll(Duration wait) {
        try {
            return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void sendJson(Object value) {
        try {
            send(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    public void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /**
     * Waits for the server to end the connection. The JDK's client now and then misses a TCP close that comes without
     * a close frame (its socket sits in CLOSE_WAIT, seen about once in 200 outages), so while waiting it pings, as any
     * live client would: a write to a dropped connection fails and the drop surfaces as 1006.
     */
    public Closed awaitClose(Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        try {
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("still open after " + deadline);
                }
                try {
                    return closed.get(Math.min(left, PROBE_EVERY.toNanos()), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    probe();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    private void probe() {
        try {
            socket.sendPing(ByteBuffer.allocate(0)).whenComplete((ws, error) -> {
                if (error != null) {
                    closed.complete(new Closed(1006, "dropped: " + error));
                }
            });
        } catch (IllegalStateException e) {
            // a send is still pending or output is closed: the next round tells
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.abort();
        }
    }

    /** The server answered the upgrade with an HTTP status instead of 101. */
    public static final class HandshakeRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int status;

        HandshakeRefused(int status) {
            super("handshake refused with HTTP " + status);
            this.status = status;
        }
    }
}
