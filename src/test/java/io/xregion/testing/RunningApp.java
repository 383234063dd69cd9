package io.xregion.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import io.xregion.XRegionApp;
import io.xregion.dev.DevEmulators;
import io.xregion.emulator.servicebus.ServiceBusEmulator;

/**
 * The real app, started the way XRegionApp starts it (same application.properties, same routes), on free ports and
 * with test overrides, without blocking the test.
 */
public final class RunningApp implements AutoCloseable {

    /** Camel's profile key: dev (the embedded local Azure) unless the overrides say prod. */
    public static final String PROFILE = "camel.main.profile";

    private final Main main;
    private final int port;
    private final int managementPort;

    private RunningApp(Main main, int port, int managementPort) {
        this.main = main;
        this.port = port;
        this.managementPort = managementPort;
    }

    public static RunningApp start(Map<String, String> overrides) {
        return start(overrides, Map.of());
    }

    /** With beans of the test's bound before the app's own (e.g. an OpenTelemetry whose spans the test reads). */
    public static RunningApp start(Map<String, String> overrides, Map<String, Object> beans) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("camel.server.port", Integer.toString(freePort()));
        properties.put("camel.management.port", Integer.toString(freePort()));
        // its own failback leadership, so an app of one test never waits for the lock of another's
        properties.put("xregion.leadership.file.root", leadershipRoot());
        properties.put("xregion.leadership.file.acquire-interval-ms", "200");
        // a test that must know the port before the app starts (e.g. an emulator's event handler URL) gives it
        properties.putAll(overrides);
        int port = Integer.parseInt(properties.get("camel.server.port"));
        int managementPort = Integer.parseInt(properties.get("camel.management.port"));
        Main main = XRegionApp.newMain();
        // Camel reads its profile before any property source: from here, as camel:run passes -profile
        main.configure().setProfile(properties.getOrDefault(PROFILE, "dev"));
        properties.forEach(main::addOverrideProperty);
        beans.forEach(main::bind);
        try {
            main.start();
        } catch (RuntimeException e) {
            main.stop();
            throw e;
        }
        if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
            main.stop();
            throw new IllegalStateException("the app did not start");
        }
        return new RunningApp(main, port, managementPort);
    }

    /** TestSettings#fastHealth alone (kept for the many tests that start from it). */
    public static Map<String, String> fastHealth(int intervalMillis, int timeoutMillis) {
        return TestSettings.dev().fastHealth(intervalMillis, timeoutMillis).build();
    }

    /** TestSettings#serviceBusFaultRun alone (kept for the many tests that start from it). */
    public static Map<String, String> serviceBusFaultRun(java.nio.file.Path outboxDirectory) {
        return TestSettings.dev().serviceBusFaultRun(outboxDirectory).build();
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    /** The sum of the counters of that name with those tags (0 when there is none). */
    public double meter(String name, String... tags) {
        io.micrometer.core.instrument.MeterRegistry meters = context().getRegistry()
                .findSingleByType(io.micrometer.core.instrument.MeterRegistry.class);
        return meters.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /**
     * A switch of the dev profile's local Azure (docs/local-azure.md): {@code dev("servicebus", "westus", "down")}
     * posts /dev/servicebus/westus/down, which must answer 200.
     */
    public void dev(String kind, String name, String action) {
        HttpCalls.Answer answer = HttpCalls.post(url("/dev/" + kind + "/" + name + "/" + action), null, null);
        if (answer.status() != 200) {
            throw new AssertionError("/dev/" + kind + "/" + name + "/" + action + " answered " + answer.status()
                    + ": " + answer.body());
        }
    }

    /** The dev profile's local Service Bus namespace of that name. */
    public ServiceBusEmulator namespace(String name) {
        return bean("devEmulators", DevEmulators.class).serviceBus().get(name);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        main.stop();
    }

    private static String leadershipRoot() {
        try {
            java.nio.file.Path root = java.nio.file.Files.createTempDirectory("xregion-leadership");
            root.toFile().deleteOnExit();
            return root.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
