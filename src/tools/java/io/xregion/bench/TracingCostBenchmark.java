package io.xregion.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;

import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;

/**
 * What tracing costs: the CPU time this process (the app and its embedded local Azure) spends per message, from
 * {@code POST /publish} to both copies settled and the broadcast done, with tracing off and on (spans made, exported
 * nowhere: {@code otel.traces.exporter = none}), alternating in one run. CPU time per message rather than wall-clock
 * throughput, which the other processes on a shared machine move far more than tracing does.
 *
 * <p>Run it with {@code mvn -q -Pbench test-compile exec:java -Dmain.class=io.xregion.bench.TracingCostBenchmark}
 * ({@code BENCH_MESSAGES}, {@code BENCH_ROUNDS}; see docs/benchmarks.md).
 */
public final class TracingCostBenchmark {

    private static final Duration WAIT = Duration.ofMinutes(5);

    private TracingCostBenchmark() {
    }

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable e) {
            e.printStackTrace();
        }
        System.exit(0);
    }

    private static void run() throws Exception {
        int messages = Integer.parseInt(System.getenv().getOrDefault("BENCH_MESSAGES", "2000"));
        int rounds = Integer.parseInt(System.getenv().getOrDefault("BENCH_ROUNDS", "4"));
        System.out.printf("xregion tracing cost: %d messages per measurement (after %d to warm up), %d rounds after "
                + "one to warm up, %d cores%n", messages, messages / 2, rounds,
                Runtime.getRuntime().availableProcessors());
        Map<Boolean, List<double[]>> results = new HashMap<>();
        // round 0 warms the JIT up for both and is not counted
        for (int round = 0; round <= rounds; round++) {
            for (boolean tracing : List.of(false, true)) {
                double[] figures = measure(tracing, messages);
                if (round > 0) {
                    results.computeIfAbsent(tracing, t -> new ArrayList<>()).add(figures);
                }
                System.out.printf("round %d, tracing %-3s  %7.0f us CPU per message  %6.0f msg/s%n", round,
                        tracing ? "on" : "off", figures[0], figures[1]);
            }
        }
        double off = median(results.get(false), 0);
        double on = median(results.get(true), 0);
        System.out.printf("summary: CPU per message off %.0f us, on %.0f us, on/off %.2f; msg/s off %.0f, on %.0f%n",
                off, on, on / off, median(results.get(false), 1), median(results.get(true), 1));
    }

    /** @return CPU microseconds per message, messages per second */
    private static double[] measure(boolean tracing, int messages) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("xregion.tracing.enabled", Boolean.toString(tracing));
        settings.put("otel.traces.exporter", "none");
        settings.put("xregion.webpubsub.health.interval-ms", "5000");
        settings.put("xregion.servicebus.outbox.directory", "target/bench-outbox");
        try (RunningApp app = RunningApp.start(settings)) {
            Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate?userId=b")).status() == 200);
            MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
            publish(app, messages / 2);
            awaitSettled(meters, messages / 2);
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean();
            long cpu = os.getProcessCpuTime();
            long start = System.nanoTime();
            publish(app, messages);
            awaitSettled(meters, messages / 2 + messages);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {(os.getProcessCpuTime() - cpu) / 1e3 / messages, messages / seconds};
        }
    }

    /** From four threads, as callers would. */
    private static void publish(RunningApp app, int count) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                workers.add(pool.submit(() -> {
                    while (next.getAndIncrement() < count) {
                        HttpCalls.Answer answer = HttpCalls.post(app.url("/publish"), "application/json",
                                "{\"bench\":true}");
                        if (answer.status() != 202) {
                            throw new IllegalStateException("publish answered " + answer.status() + ": "
                                    + answer.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Every message processed once and its other copy dropped. */
    private static void awaitSettled(MeterRegistry meters, int total) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> count(meters, "xregion.servicebus.processed") >= total
                        && count(meters, "xregion.servicebus.duplicates") >= total);
    }

    private static double count(MeterRegistry meters, String name) {
        return meters.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static double median(List<double[]> figures, int index) {
        List<Double> values = new ArrayList<>(figures.stream().map(f -> f[index]).sorted().toList());
        return values.get(values.size() / 2);
    }
}
