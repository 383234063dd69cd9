package io.xregion.testing;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import io.xregion.XRegionApp;

/**
 * The app as its own JVM process (the test's class path), settings given as system properties, on free ports: for
 * tests that need several app servers, or kill one with {@code kill -9}.
 */
public final class AppServerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int managementPort;

    private AppServerProcess(Process process, int port, int managementPort) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts it and returns once negotiate answers 200; the output goes to {@code target/<logName>.log}. */
    public static AppServerProcess start(Map<String, String> overrides, String logName, Duration deadline)
            throws Exception {
        int port = RunningApp.freePort();
        int managementPort = RunningApp.freePort();
        Map<String, String> settings = new LinkedHashMap<>(overrides);
        settings.put("camel.server.port", Integer.toString(port));
        settings.put("camel.management.port", Integer.toString(managementPort));
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-XX:TieredStopAtLevel=1");
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(XRegionApp.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(new File("target/" + logName + ".log")).start();
        AppServerProcess app = new AppServerProcess(process, port, managementPort);
        try {
            Awaitility.await().atMost(deadline).ignoreExceptions().until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the app exited; see target/" + logName + ".log");
                }
                return HttpCalls.get(app.url("/negotiate")).status() == 200;
            });
        } catch (RuntimeException e) {
            app.kill();
            throw e;
        }
        return app;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    /**
     * The sum of a Prometheus counter's (or gauge's) series whose labels include all of {@code labels}
     * ({@code name="value"} pairs), read from /observe/metrics.
     */
    public double counter(String name, String... labels) {
        HttpCalls.Answer answer = HttpCalls.get(managementUrl("/observe/metrics"));
        if (answer.status() != 200) {
            throw new IllegalStateException("metrics answered " + answer.status());
        }
        double sum = 0;
        for (String line : answer.body().split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String series = line.substring(0, line.lastIndexOf('}') + 1);
            boolean matches = true;
            for (String label : labels) {
                matches &= series.contains(label);
            }
            if (matches) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** {@code kill -9}: no shutdown hook, nothing released but what the operating system releases. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
