package io.xregion.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server (Debian's package; .ci/run installs it when missing) of the test's own, on a free loopback
 * port, without persistence: {@code --port N --bind 127.0.0.1 --save '' --appendonly no}. Stop and start it again on
 * the same port to drill an outage. A class's own: {@code @RegisterExtension static final RedisServer redis =
 * RedisServer.start();} stops it after the class's tests.
 */
public final class RedisServer implements AutoCloseable, AfterAllCallback {

    private final int port;
    private final String password;
    private final Path workDirectory;
    private Process process;

    private RedisServer(int port, String password) {
        this.port = port;
        this.password = password;
        try {
            this.workDirectory = Files.createTempDirectory("redis-test");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static RedisServer start() {
        return start(null);
    }

    /** With a password (requirepass), or none. */
    public static RedisServer start(String password) {
        RedisServer server = new RedisServer(RunningApp.freePort(), password);
        server.startAgain();
        return server;
    }

    /** Starts it (again), on the same port, empty. */
    public synchronized void startAgain() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workDirectory.toString()));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(workDirectory.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("redis-server could not be started (is it installed?)", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!answers()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                stop();
                throw new IllegalStateException("redis-server did not start on port " + port);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Stops it at once (SIGKILL: what a lost region looks like) and waits until the port is closed. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public int port() {
        return port;
    }

    /** redis://127.0.0.1:port, as xregion.servicebus.dedup.redis.endpoints takes it. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** True when it answers PING (AUTH first if it has a password). */
    public boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            if (password != null) {
                out.write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write("PING\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64];
            StringBuilder answer = new StringBuilder();
            while (!answer.toString().contains("PONG") && !answer.toString().contains("-")) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
            return answer.toString().contains("PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
