package io.xregion.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;

import io.xregion.dev.DevEmulators;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.servicebus.SendOutcomes;
import io.xregion.testing.RunningApp;

/**
 * Service Bus figures, side by side in one run against the local namespaces:
 * <ul>
 * <li>publish throughput: active replication (both namespaces) vs passive (one) vs a single namespace;</li>
 * <li>receive throughput: the deduplicating pair of consumers vs a plain single consumer;</li>
 * <li>the outbox: how fast one publisher fills it while no namespace is reachable, and how fast it drains once one
 * is back, in batches and (as before batches) one message per send;</li>
 * <li>time from a namespace going down to the first successful passive send, with the default send budget and a
 * tight one.</li>
 * </ul>
 * Run it with {@code mvn -q -Pbench test-compile exec:java -Dmain.class=io.xregion.bench.ServiceBusBenchmark}
 * (see docs/benchmarks.md).
 */
public final class ServiceBusBenchmark {

    private ServiceBusBenchmark() {
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
        double seconds = Double.parseDouble(System.getenv().getOrDefault("BENCH_SECONDS", "5"));
        int threads = Integer.parseInt(System.getenv().getOrDefault("BENCH_THREADS", "8"));
        int rounds = Integer.parseInt(System.getenv().getOrDefault("BENCH_ROUNDS", "5"));
        int backlog = Integer.parseInt(System.getenv().getOrDefault("BENCH_BACKLOG", "4000"));
        System.out.printf("xregion Service Bus benchmark: %d threads, %.0f s per measurement, %d rounds, "
                + "%d messages per receive run, %d cores%n", threads, seconds, rounds, backlog,
                Runtime.getRuntime().availableProcessors());

        publish(threads, seconds, rounds);
        receive(backlog);
        outbox(backlog);
        failover("default send budget (3 s try timeout, 1 retry)", Map.of());
        failover("tight send budget (1 s try timeout, no retry)", Map.of("xregion.servicebus.send.try-timeout-ms",
                "1000", "xregion.servicebus.send.max-retries", "0"));
    }

    private static Map<String, String> topicSettings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("xregion.servicebus.entity", "events");
        settings.put("xregion.servicebus.entity-type", "topic");
        settings.put("xregion.servicebus.subscription", "xregion");
        settings.put("xregion.dev.servicebus.extra-subscriptions", "plain");
        settings.put("xregion.webpubsub.health.interval-ms", "5000");
        settings.put("xregion.servicebus.outbox.directory", "target/bench-outbox");
        return settings;
    }

    private static void publish(int threads, double seconds, int rounds) throws Exception {
        try (RunningApp app = RunningApp.start(topicSettings())) {
            ProducerTemplate producer = app.context().createProducerTemplate();
            AtomicLong counter = new AtomicLong();
            // the receivers stay off while publishing, so the figures are the senders' own
            app.context().getRouteController().stopRoute("servicebus-receive-primary");
            app.context().getRouteController().stopRoute("servicebus-receive-secondary");
            waitUntilReachable(app);

            LoadRun.Call active = send(producer, "direct:servicebus-send-active", counter);
            LoadRun.Call passive = send(producer, "direct:servicebus-send-passive", counter);
            // one namespace's endpoint, as the send routes name it (its producer records and counts each send)
            LoadRun.Call single = send(producer, "azure-servicebus-eastus:events?serviceBusType=topic", counter);
            for (LoadRun.Call call : List.of(active, passive, single)) {
                LoadRun.run("warm-up", threads, 10, call);
            }
            List<LoadRun.Result> actives = new ArrayList<>();
            List<LoadRun.Result> passives = new ArrayList<>();
            List<LoadRun.Result> singles = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                System.out.println("publish round " + round);
                print(actives, LoadRun.run("active (2 namespaces, parallel)", threads, seconds, active));
                print(passives, LoadRun.run("passive (1 namespace, failover ready)", threads, seconds, passive));
                print(singles, LoadRun.run("single namespace", threads, seconds, single));
            }
            System.out.printf("summary: active %.0f msg/s, passive %.0f msg/s, single %.0f msg/s; "
                    + "active/single %.2f, passive/single %.2f%n", median(actives), median(passives), median(singles),
                    medianRatio(actives, singles), medianRatio(passives, singles));
            // the figures count calls that returned without an error; the namespaces must hold exactly that many
            MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
            for (ServiceBusEmulator namespace : app.bean("devEmulators", DevEmulators.class).serviceBus().values()) {
                double accepted = meters.find("xregion.servicebus.sends").tags("namespace", namespace.name(),
                        "outcome", "accepted").counters().stream().mapToDouble(c -> c.count()).sum();
                int held = namespace.depth("events/subscriptions/xregion");
                System.out.printf("  check: %s accepted %.0f sends and holds %d messages%s%n", namespace.name(),
                        accepted, held, held == accepted ? "" : "  MISMATCH");
            }
        }
    }

    private static LoadRun.Call send(ProducerTemplate producer, String endpoint, AtomicLong counter) {
        return () -> {
            Exchange result = producer.send(endpoint, exchange -> {
                SendOutcomes.start(exchange);
                exchange.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, "bench-" + counter.incrementAndGet());
                exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                exchange.getMessage().setBody("{\"bench\":true}".getBytes());
            });
            return result.getException() == null;
        };
    }

    /**
     * A backlog published to both namespaces (every message in subscriptions xregion and plain, on fresh local
     * namespaces) is read twice: by a plain consumer of one namespace's plain subscription, then by the app's
     * deduplicating pair of consumers.
     */
    private static void receive(int backlog) throws Exception {
        try (RunningApp app = RunningApp.start(topicSettings())) {
            ProducerTemplate producer = app.context().createProducerTemplate();
            AtomicLong counter = new AtomicLong();
            app.context().getRouteController().stopRoute("servicebus-receive-primary");
            app.context().getRouteController().stopRoute("servicebus-receive-secondary");
            waitUntilReachable(app);
            LoadRun.Call active = send(producer, "direct:servicebus-send-active", counter);
            for (int i = 0; i < backlog; i++) {
                active.run();
            }
            MeterRegistry meters = app.context().getRegistry().findSingleByType(MeterRegistry.class);
            AtomicLong plain = new AtomicLong();
            RouteBuilder.addRoutes(app.context(), routes -> routes
                    .from("azure-servicebus-eastus:events?serviceBusType=topic&subscriptionName=plain"
                            + "&maxConcurrentCalls={{xregion.servicebus.receive.max-concurrent-calls}}")
                    .routeId("bench-plain-consumer").autoStartup(false)
                    .process(e -> plain.incrementAndGet()).bean("receivedMessages", "read").to("direct:process"));

            long start = System.nanoTime();
            app.context().getRouteController().startRoute("bench-plain-consumer");
            waitFor(() -> plain.get() >= backlog);
            double plainSeconds = (System.nanoTime() - start) / 1e9;
            app.context().getRouteController().stopRoute("bench-plain-consumer");

            double before = processed(meters);
            start = System.nanoTime();
            app.context().getRouteController().startRoute("servicebus-receive-primary");
            app.context().getRouteController().startRoute("servicebus-receive-secondary");
            waitFor(() -> processed(meters) - before >= backlog);
            double dedupSeconds = (System.nanoTime() - start) / 1e9;
            // the last copies may still be arriving: wait until both subscriptions are empty before reading the counters
            DevEmulators emulators = app.bean("devEmulators", DevEmulators.class);
            waitFor(() -> emulators.serviceBus().values().stream()
                    .allMatch(e -> e.depth("events/subscriptions/xregion") == 0 && e.locked("events/subscriptions/xregion") == 0));
            double duplicates = meters.find("xregion.servicebus.duplicates").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            System.out.println("receive");
            System.out.printf("  plain single consumer     %7.0f msg/s  (%d messages in %.2f s)%n", backlog / plainSeconds,
                    backlog, plainSeconds);
            System.out.printf("  deduplicating pair        %7.0f msg/s  (%d unique of %d deliveries in %.2f s; "
                    + "%.0f duplicates dropped)%n", backlog / dedupSeconds, backlog, 2 * backlog, dedupSeconds,
                    duplicates);
            System.out.printf("summary: dedup/plain %.2f (unique messages per second)%n", plainSeconds / dedupSeconds);
        }
    }

    /**
     * The outbox with both namespaces down: one publisher fills it through direct:publish, then eastus comes back and
     * the drain empties it. The drain must outrun the publisher, or a backlog never clears while traffic goes on.
     */
    private static void outbox(int backlog) throws Exception {
        System.out.println("outbox");
        Map<Integer, Double> drainRates = new java.util.LinkedHashMap<>();
        double appendRate = 0;
        for (int batch : new int[] {1, 100}) {
            java.nio.file.Path directory = java.nio.file.Path.of("target", "bench-outbox-" + batch);
            org.apache.camel.util.FileUtil.removeDir(directory.toFile());
            Map<String, String> settings = topicSettings();
            settings.put("xregion.servicebus.outbox.directory", directory.toString());
            settings.put("xregion.servicebus.outbox.batch-messages", Integer.toString(batch));
            settings.put("xregion.servicebus.outbox.poll-ms", "50");
            settings.put("xregion.servicebus.outbox.backoff.initial-ms", "50");
            settings.put("xregion.servicebus.outbox.backoff.max-ms", "100");
            settings.put("xregion.servicebus.health.interval-ms", "200");
            settings.put("xregion.servicebus.send.try-timeout-ms", "1000");
            settings.put("xregion.servicebus.send.max-retries", "0");
            try (RunningApp app = RunningApp.start(settings)) {
                app.context().getRouteController().stopRoute("servicebus-receive-primary");
                app.context().getRouteController().stopRoute("servicebus-receive-secondary");
                waitUntilReachable(app);
                Map<String, ServiceBusEmulator> namespaces = app.bean("devEmulators", DevEmulators.class).serviceBus();
                namespaces.values().forEach(ServiceBusEmulator::down);
                ProducerTemplate producer = app.context().createProducerTemplate();
                io.xregion.servicebus.Outbox outbox = app.bean("outbox", io.xregion.servicebus.Outbox.class);
                AtomicLong counter = new AtomicLong();
                LoadRun.Call publish = () -> producer.send("direct:publish", exchange -> {
                    exchange.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, "o-" + counter.incrementAndGet());
                    exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                    exchange.getMessage().setBody("{\"bench\":true}".getBytes());
                }).getException() == null;
                publish.run(); // pays the send budget once; then both namespaces are known to be unreachable
                long start = System.nanoTime();
                for (int i = 1; i < backlog; i++) {
                    publish.run();
                }
                appendRate = (backlog - 1) / ((System.nanoTime() - start) / 1e9);
                namespaces.get("eastus").up();
                io.xregion.servicebus.NamespaceHealth health = app.bean("namespaceHealth",
                        io.xregion.servicebus.NamespaceHealth.class);
                waitFor(() -> health.reachable("eastus"));
                start = System.nanoTime();
                waitFor(() -> outbox.depth() == 0);
                double drainSeconds = (System.nanoTime() - start) / 1e9;
                drainRates.put(batch, backlog / drainSeconds);
                System.out.printf("  %-34s %7.0f msg/s  (%d messages in %.2f s; filled by one publisher at %.0f "
                        + "msg/s)%n", "drain, " + batch + (batch == 1 ? " message per send" : " messages per send"),
                        backlog / drainSeconds, backlog, drainSeconds, appendRate);
            }
        }
        System.out.printf("summary: outbox drain batched/one-by-one %.2f; batched drain/one publisher filling it %.2f%n",
                drainRates.get(100) / drainRates.get(1), drainRates.get(100) / appendRate);
    }

    /** Time from a namespace going down to the first passive send that succeeds on the other one, both ways. */
    private static void failover(String label, Map<String, String> budget) throws Exception {
        Map<String, String> settings = topicSettings();
        settings.put("xregion.servicebus.mode", "passive");
        settings.putAll(budget);
        try (RunningApp app = RunningApp.start(settings)) {
            ProducerTemplate producer = app.context().createProducerTemplate();
            AtomicLong counter = new AtomicLong();
            waitUntilReachable(app);
            Map<String, ServiceBusEmulator> namespaces = app.bean("devEmulators", DevEmulators.class).serviceBus();
            LoadRun.Call passive = send(producer, "direct:servicebus-send-passive", counter);
            for (int i = 0; i < 200; i++) {
                passive.run();
            }
            List<Double> times = new ArrayList<>();
            for (String[] swap : new String[][] {{"eastus", "westus"}, {"westus", "eastus"}, {"eastus", "westus"}}) {
                namespaces.get(swap[1]).up();
                waitUntilReachable(app);
                long down = System.nanoTime();
                namespaces.get(swap[0]).down();
                while (true) {
                    Exchange result = producer.send("direct:servicebus-send-passive", exchange -> {
                        SendOutcomes.start(exchange);
                        exchange.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, "swap-" + counter.incrementAndGet());
                        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain");
                        exchange.getMessage().setBody("x".getBytes());
                    });
                    if (result.getException() == null && swap[1].equals(result.getVariable(SendOutcomes.SENT_VIA))) {
                        break;
                    }
                }
                times.add((System.nanoTime() - down) / 1e6);
            }
            System.out.printf("failover (%s): first successful passive send %.0f / %.0f / %.0f ms after the namespace "
                    + "in use went down%n", label, times.get(0), times.get(1), times.get(2));
        }
    }

    /** The app's count of processed messages (the counter appears with the first one). */
    private static double processed(MeterRegistry meters) {
        var counter = meters.find("xregion.servicebus.processed").counter();
        return counter == null ? 0 : counter.count();
    }

    private static void waitUntilReachable(RunningApp app) throws InterruptedException {
        io.xregion.servicebus.NamespaceHealth health = app.bean("namespaceHealth",
                io.xregion.servicebus.NamespaceHealth.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (health.reachableNames().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the benchmark did not finish in time");
            }
            Thread.sleep(20);
        }
    }

    private static void print(List<LoadRun.Result> into, LoadRun.Result result) {
        into.add(result);
        System.out.println("  " + result);
    }

    private static double median(List<LoadRun.Result> results) {
        double[] values = results.stream().mapToDouble(LoadRun.Result::perSecond).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static double medianRatio(List<LoadRun.Result> a, List<LoadRun.Result> b) {
        double[] ratios = new double[a.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = a.get(i).perSecond() / b.get(i).perSecond();
        }
        java.util.Arrays.sort(ratios);
        int n = ratios.length;
        return n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    }
}
