package io.xregion.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The benchmark's own HTTP calls to the app. The caller's client shares the JVM and the cores with the app, the
 * emulators and the SDK, so its cost weighs on every HTTP case (and on none of the SDK's): {@code apache}, the
 * default, is Apache HttpClient 5's blocking client on pooled keep-alive connections, the leanest at hand (the JDK's
 * HttpClient, {@code jdk}, which the benchmark used before 2026-12-06, took about a sixth of the CPU of a broadcast
 * run by itself, JFR).
 */
abstract class BenchHttp implements AutoCloseable {

    static BenchHttp choose(String name) {
        return switch (name) {
            case "apache" -> new Apache();
            case "jdk" -> new Jdk();
            default -> throw new IllegalArgumentException("BENCH_HTTP_CLIENT must be apache or jdk, not " + name);
        };
    }

    abstract LoadRun.Call get(String url, int expectedStatus);

    abstract LoadRun.Call post(String url, String contentType, byte[] body, int expectedStatus);

    @Override
    public void close() throws IOException {
    }

    private static final class Apache extends BenchHttp {
        private final CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(256)
                        .setMaxConnPerRoute(256).build())
                .disableCookieManagement().disableAutomaticRetries().disableRedirectHandling()
                .disableContentCompression().build();

        @Override
        LoadRun.Call get(String url, int expectedStatus) {
            return () -> status(new HttpGet(url)) == expectedStatus;
        }

        @Override
        LoadRun.Call post(String url, String contentType, byte[] body, int expectedStatus) {
            ContentType type = ContentType.create(contentType);
            return () -> {
                HttpPost post = new HttpPost(url);
                post.setEntity(new ByteArrayEntity(body, type));
                return status(post) == expectedStatus;
            };
        }

        private int status(HttpUriRequestBase request) throws IOException {
            return client.execute(request, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }

    private static final class Jdk extends BenchHttp {
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        @Override
        LoadRun.Call get(String url, int expectedStatus) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET().build();
            return () -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == expectedStatus;
        }

        @Override
        LoadRun.Call post(String url, String contentType, byte[] body, int expectedStatus) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return () -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == expectedStatus;
        }
    }
}
