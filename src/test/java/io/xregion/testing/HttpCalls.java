package io.xregion.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Plain HTTP calls from tests, with the answer's status, headers and body at hand. */
public final class HttpCalls {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private HttpCalls() {
    }

    /** An answer: status, body and headers. */
    public record Answer(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return WsClient.JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public static Answer call(String method, String url, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(builder::header);
        try {
            HttpResponse<String> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), response.headers());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A request written by hand on a socket, for targets no URI class accepts (e.g. broken percent-encoding); the
     * server must close the connection or answer with a Content-Length.
     */
    public static Answer raw(String baseUrl, String method, String target, Map<String, String> headers) {
        URI base = URI.create(baseUrl);
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: "
                    + base.getRawAuthority() + "\r\nContent-Length: 0\r\n");
            if (!headers.containsKey("Connection")) {
                request.append("Connection: close\r\n");
            }
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            socket.getOutputStream().write(request.append("\r\n").toString()
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            String statusLine = readLine(in);
            Map<String, java.util.List<String>> answerHeaders = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                answerHeaders.computeIfAbsent(line.substring(0, colon).trim(), k -> new java.util.ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            java.util.List<String> length = answerHeaders.get("Content-Length");
            byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length.get(0)));
            return new Answer(Integer.parseInt(statusLine.split(" ")[1]),
                    new String(body, java.nio.charset.StandardCharsets.UTF_8),
                    java.net.http.HttpHeaders.of(answerHeaders, (name, value) -> true));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new java.io.EOFException("the answer ended early: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    public static Answer get(String url) {
        return call("GET", url, Map.of(), null);
    }

    public static Answer post(String url, String contentType, String body) {
        return call("POST", url, contentType == null ? Map.of() : Map.of("Content-Type", contentType),
                body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
