package io.xregion.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.azure.messaging.webpubsub.models.WebPubSubContentType;
import org.apache.camel.builder.RouteBuilder;

import io.xregion.testing.ExternalServices;
import io.xregion.testing.RunningApp;

/**
 * Side-by-side figures, in one run on one machine (ratios, since these machines are noisy):
 * <ul>
 * <li>negotiate requests per second versus a no-op route on the same HTTP server;</li>
 * <li>broadcasts per second through xregion (fanned out to two instances) versus the official SDK's sendToAll to
 * one instance, against the same emulators with the same connected clients.</li>
 * </ul>
 * Run it with {@code mvn -q -Pbench test-compile exec:java} (see docs/benchmarks.md); BENCH_SECONDS and BENCH_THREADS tune it.
 */
public final class WebPubSubBenchmark {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private WebPubSubBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run();
        } catch (Throwable e) {
            e.printStackTrace();
        }
        System.exit(0);
    }

    private static void run() throws Exception {
        double seconds = Double.parseDouble(System.getenv().getOrDefault("BENCH_SECONDS", "5"));
        int threads = Integer.parseInt(System.getenv().getOrDefault("BENCH_THREADS", "8"));
        int rounds = Integer.parseInt(System.getenv().getOrDefault("BENCH_ROUNDS", "4"));
        double slice = Double.parseDouble(System.getenv().getOrDefault("BENCH_SLICE_SECONDS", "1"));
        int clientsPerInstance = 4;
        System.out.printf("xregion Web PubSub benchmark: %d threads, %.0f s per case and round, in turns of %.1f s, "
                + "%d rounds, %d cores, load average %s%n", threads, seconds, slice, rounds,
                Runtime.getRuntime().availableProcessors(), InstallBenchmark.loadAverage());

        // the production profile, as deployed, against emulators of the benchmark's own (no Camel dev aids)
        ExternalServices services = new ExternalServices();
        Map<String, String> overrides = new java.util.HashMap<>(services.productionSettings());
        overrides.put("xregion.webpubsub.health.interval-ms", "5000");
        for (String pair : System.getenv().getOrDefault("BENCH_PROPERTIES", "").split(",")) {
            if (pair.contains("=")) {
                overrides.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        String only = System.getenv().getOrDefault("BENCH_ONLY", "");
        try (services; RunningApp app = RunningApp.start(overrides)) {
            // a lambda, not a RouteBuilder class: camel-main would pick up a class in io.xregion.* by itself
            RouteBuilder.addRoutes(app.context(), routes -> routes
                    .from("platform-http:/bench/noop?httpMethodRestrict=GET").routeId("bench-noop")
                    .removeHeaders("*").setHeader("Content-Type", routes.constant("application/json"))
                    .setBody(routes.constant("{}")));
            waitUntilReady(app);
            Map<String, String> connectionStrings = Map.of("eastus", services.eastWebPubSub.connectionString(),
                    "westus", services.westWebPubSub.connectionString());
            WebPubSubServiceClient sdk = new WebPubSubServiceClientBuilder()
                    .connectionString(connectionStrings.get("eastus")).hub("chat").buildClient();
            List<WebSocket> clients = new ArrayList<>();
            for (String instance : List.of("eastus", "westus")) {
                WebPubSubServiceClient owner = new WebPubSubServiceClientBuilder()
                        .connectionString(connectionStrings.get(instance)).hub("chat")
                        .buildClient();
                for (int i = 0; i < clientsPerInstance; i++) {
                    clients.add(discardingClient(owner.getClientAccessToken(new GetClientAccessTokenOptions()).getUrl()));
                }
            }

            byte[] message = "x".repeat(100).getBytes();
            String text = new String(message);
            BenchHttp http = BenchHttp.choose(System.getenv().getOrDefault("BENCH_HTTP_CLIENT", "apache"));
            LoadRun.Call noopCall = http.get(app.url("/bench/noop"), 200);
            LoadRun.Call negotiateCall = http.get(app.url("/negotiate?userId=bench"), 200);
            LoadRun.Call broadcastCall = http.post(app.url("/broadcast"), "text/plain", message, 202);
            LoadRun.Call sdkCall = () -> {
                sdk.sendToAll(text, WebPubSubContentType.TEXT_PLAIN);
                return true;
            };
            LoadRun.Case noopCase = new LoadRun.Case("GET /bench/noop (no-op route)", noopCall);
            LoadRun.Case negotiateCase = new LoadRun.Case("GET /negotiate", negotiateCall);
            LoadRun.Case broadcastCase = new LoadRun.Case("POST /broadcast (xregion, 2 instances)", broadcastCall);
            LoadRun.Case sdkCase = new LoadRun.Case("SDK sendToAll (1 instance)", sdkCall);

            // warm-up (JIT, connection pools, caches): every path, in turns, until no case's rate moves by more than
            // a tenth from one warm-up round to the next (on a busy machine the JIT takes minutes, and a case it has
            // not finished compiling yet loses against one it has)
            double warmUp = Double.parseDouble(System.getenv().getOrDefault("BENCH_WARMUP_SECONDS", "10"));
            LoadRun.warmUp(List.of(noopCase, negotiateCase, broadcastCase, sdkCase), threads, warmUp, slice, 0.10, 10);

            List<LoadRun.Result> noops = new ArrayList<>();
            List<LoadRun.Result> negotiates = new ArrayList<>();
            List<LoadRun.Result> broadcasts = new ArrayList<>();
            List<LoadRun.Result> sdks = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                System.out.println("round " + round);
                if (!only.equals("broadcast")) {
                    List<LoadRun.Result> pair = LoadRun.interleaved(List.of(noopCase, negotiateCase), threads,
                            seconds, slice);
                    print(noops, pair.get(0));
                    print(negotiates, pair.get(1));
                }
                if (!only.equals("negotiate")) {
                    List<LoadRun.Result> pair = LoadRun.interleaved(List.of(broadcastCase, sdkCase), threads,
                            seconds, slice);
                    print(broadcasts, pair.get(0));
                    print(sdks, pair.get(1));
                }
            }
            http.close();
            clients.forEach(WebSocket::abort);

            System.out.println();
            System.out.println("summary: medians over the rounds (each round runs the two cases it compares in turns, "
                    + "so both see the same machine); load average now " + InstallBenchmark.loadAverage());
            if (!noops.isEmpty()) {
                System.out.printf("  negotiate   %7.0f req/s  vs no-op route %7.0f req/s   ratio %.2f%n",
                        median(negotiates), median(noops), medianRatio(negotiates, noops, 1));
            }
            if (!broadcasts.isEmpty()) {
                System.out.printf("  broadcast   %7.0f msg/s (to 2 instances)  vs SDK sendToAll %7.0f msg/s (to 1)   "
                        + "ratio %.2f, per instance delivery %.2f%n", median(broadcasts), median(sdks),
                        medianRatio(broadcasts, sdks, 1), medianRatio(broadcasts, sdks, 2));
            }
        }
    }

    private static void print(List<LoadRun.Result> into, LoadRun.Result result) {
        into.add(result);
        System.out.println("  " + result);
    }

    private static double median(List<LoadRun.Result> results) {
        return median(results.stream().mapToDouble(LoadRun.Result::perSecond).toArray());
    }

    /** The median over rounds of (a / b) * factor, each ratio taken within one round. */
    private static double medianRatio(List<LoadRun.Result> a, List<LoadRun.Result> b, double factor) {
        double[] ratios = new double[a.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = factor * a.get(i).perSecond() / b.get(i).perSecond();
        }
        return median(ratios);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static int status(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void waitUntilReady(RunningApp app) throws Exception {
        HttpRequest negotiate = HttpRequest.newBuilder(URI.create(app.url("/negotiate"))).GET().build();
        long deadline = System.currentTimeMillis() + 10_000;
        while (status(negotiate) != 200) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the app did not become ready");
            }
            Thread.sleep(50);
        }
    }

    /** A raw WebSocket client that reads and drops every message, so senders never wait on slow readers. */
    private static WebSocket discardingClient(String url) {
        return HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                        ws.request(1);
                        return null;
                    }
                }).join();
    }
}
