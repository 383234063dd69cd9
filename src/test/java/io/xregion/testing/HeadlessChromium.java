package io.xregion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.awaitility.Awaitility;

/**
 * A headless Chromium (Debian's {@code chromium}; .ci/run installs it when missing) of the test's own, driven over
 * the Chrome DevTools Protocol from the JDK's WebSocket client: no driver, no browser download. A fresh profile per
 * start, no network of its own (no updates, sync or background requests), the DevTools port on loopback only.
 */
public final class HeadlessChromium implements AutoCloseable {

    /** The browser: {@code -Dxregion.chromium=...} for another one. */
    public static final Path EXECUTABLE = Path.of(System.getProperty("xregion.chromium", "/usr/bin/chromium"));

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    /** Uncaught script errors and console/log entries at level error, as DevTools reported them. */
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private HeadlessChromium(Process process, Path profile, URI page) {
        this.process = process;
        this.profile = profile;
        try {
            this.socket = HTTP.newWebSocketBuilder().buildAsync(page, new Listener())
                    .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("no DevTools connection to " + page, e);
        }
        send("Runtime.enable", Map.of());
        send("Log.enable", Map.of());
        send("Page.enable", Map.of());
    }

    public static boolean installed() {
        return Files.isExecutable(EXECUTABLE);
    }

    /** Starts the browser with a blank page and connects to that page within the deadline. */
    public static HeadlessChromium start(Duration deadline) {
        Path profile;
        try {
            profile = Files.createTempDirectory("xregion-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = List.of(EXECUTABLE.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
                "--mute-audio", "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "--window-size=1280,1000", "about:blank");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(profile.resolve("chromium.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + EXECUTABLE, e);
        }
        boolean started = false;
        try {
            // Chromium writes the port it chose (and the browser's path) here once DevTools listens
            Path activePort = profile.resolve("DevToolsActivePort");
            Awaitility.await("Chromium's DevTools port").atMost(deadline).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("Chromium exited with " + process.exitValue() + ": "
                                    + log(profile));
                        }
                        return Files.exists(activePort) && Files.readAllLines(activePort).size() >= 2;
                    });
            int port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
            URI page = Awaitility.await("Chromium's blank page").atMost(deadline)
                    .pollInterval(Duration.ofMillis(50)).until(() -> pageTarget(port), p -> p != null);
            HeadlessChromium browser = new HeadlessChromium(process, profile, page);
            started = true;
            return browser;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!started) {
                stop(process);
                delete(profile);
            }
        }
    }

    private static URI pageTarget(int port) throws IOException, InterruptedException {
        HttpResponse<String> targets = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/json/list")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : WsClient.JSON.readTree(targets.body())) {
            if ("page".equals(target.path("type").asText())) {
                return URI.create(target.get("webSocketDebuggerUrl").asText());
            }
        }
        return null;
    }

    /** Sends a DevTools command and waits for its result; a protocol error fails the test. */
    public JsonNode send(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        ObjectNode command = WsClient.JSON.createObjectNode();
        command.put("id", id);
        command.put("method", method);
        command.set("params", WsClient.JSON.valueToTree(params));
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            socket.sendText(WsClient.JSON.writeValueAsString(command), true).get(COMMAND_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
            JsonNode response = answer.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (response.has("error")) {
                throw new AssertionError(method + " failed: " + response.get("error"));
            }
            return response.get("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException | IOException e) {
            throw new AssertionError(method + " got no answer: " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    /** Opens the URL in the page and waits (within the deadline) until the document and its resources are loaded. */
    public void navigate(String url, Duration deadline) {
        JsonNode navigated = send("Page.navigate", Map.of("url", url));
        if (navigated.hasNonNull("errorText")) {
            throw new AssertionError("could not open " + url + ": " + navigated.get("errorText").asText());
        }
        Awaitility.await("the page loaded").atMost(deadline).pollInterval(Duration.ofMillis(50))
                .until(() -> "complete".equals(evaluate("document.readyState").asText()));
    }

    /** The value of a JavaScript expression in the page (a promise is awaited); a script error fails the test. */
    public JsonNode evaluate(String expression) {
        JsonNode result = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new AssertionError("'" + expression + "' failed: " + result.get("exceptionDetails"));
        }
        return result.get("result").path("value");
    }

    /** A PNG of the whole page (not only the window), 1280 pixels wide. */
    public void screenshot(Path file) {
        int height = evaluate("Math.ceil(document.documentElement.scrollHeight)").asInt();
        send("Emulation.setDeviceMetricsOverride", Map.of("width", 1280, "height", height, "deviceScaleFactor", 1,
                "mobile", false));
        try {
            JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png"));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            send("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /** Script errors and error-level console or log entries (a refused resource, a CSP violation) so far. */
    public List<String> errors() {
        return new ArrayList<>(errors);
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        } catch (RuntimeException e) {
            // the browser is stopped below either way
        }
        stop(process);
        delete(profile);
    }

    private static void stop(Process process) {
        // the launcher is a shell script: stop the browser's own processes too
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String log(Path profile) {
        try {
            return Files.readString(profile.resolve("chromium.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void delete(Path directory) {
        try (var files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: left behind at worst
        }
    }

    /** Answers go to their command; events of interest are kept. */
    private final class Listener implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                received(text);
            }
            webSocket.request(1);
            return null;
        }

        private void received(String text) {
            JsonNode message;
            try {
                message = WsClient.JSON.readTree(text);
            } catch (IOException e) {
                errors.add("unreadable DevTools message: " + text);
                return;
            }
            if (message.has("id")) {
                CompletableFuture<JsonNode> answer = pending.get(message.get("id").asInt());
                if (answer != null) {
                    answer.complete(message);
                }
                return;
            }
            String method = message.path("method").asText();
            JsonNode params = message.path("params");
            if (method.equals("Runtime.exceptionThrown")) {
                errors.add("script error: " + params.path("exceptionDetails"));
            } else if (method.equals("Log.entryAdded") && params.path("entry").path("level").asText().equals("error")) {
                errors.add("log: " + params.path("entry").path("text").asText() + " "
                        + params.path("entry").path("url").asText());
            } else if (method.equals("Runtime.consoleAPICalled") && params.path("type").asText().equals("error")) {
                errors.add("console: " + params.path("args"));
            }
        }
    }
}
