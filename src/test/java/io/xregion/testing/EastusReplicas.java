package io.xregion.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Two replicas of eastus's app server, each a process of its own (production profile, against the test's own local
 * Azure), sharing one leadership directory as two pods share a Lease: which one fails back, and which takes over when
 * it dies. Home groups in two shards, failback paced 100 ms; the westus emulator counts the closes of each home group,
 * and each replica's metrics tell whether it leads and how many home groups it closed.
 */
public final class EastusReplicas implements AutoCloseable {

    public static final int SHARDS = 2;
    public static final List<String> HOME_GROUPS = List.of("xregion.home.eastus.0", "xregion.home.eastus.1");

    private final ExternalServices services;
    private final List<AppServerProcess> replicas = new ArrayList<>();

    private EastusReplicas(ExternalServices services) {
        this.services = services;
    }

    /**
     * Starts both at once and returns when both answer; replica n logs to {@code target/<logName>-n.log} and keeps
     * its outbox under {@code data}.
     */
    public static EastusReplicas start(ExternalServices services, Path data, String logName, Duration deadline) {
        EastusReplicas replicas = new EastusReplicas(services);
        List<CompletableFuture<AppServerProcess>> starting = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            int replica = n;
            starting.add(CompletableFuture.supplyAsync(() -> replicas.start(replica, data, logName, deadline)));
        }
        try {
            starting.forEach(s -> replicas.replicas.add(s.join()));
        } catch (RuntimeException e) {
            starting.forEach(s -> s.thenAccept(AppServerProcess::close));
            throw e;
        }
        return replicas;
    }

    private AppServerProcess start(int n, Path data, String logName, Duration deadline) {
        Map<String, String> settings = TestSettings.production(services).fastHealth(500, 500)
                .with("xregion.webpubsub.home-groups.shards", Integer.toString(SHARDS))
                .with("xregion.webpubsub.failback.pace-ms", "100")
                .with("xregion.leadership.file.root", data.resolve("leadership").toString())
                .with("xregion.leadership.file.acquire-interval-ms", "300")
                .with("xregion.servicebus.outbox.directory", data.resolve("outbox-" + n).toString()).build();
        try {
            return AppServerProcess.start(settings, logName + "-" + n, deadline);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public AppServerProcess get(int n) {
        return replicas.get(n);
    }

    public List<AppServerProcess> all() {
        return List.copyOf(replicas);
    }

    /** How often westus was asked to close each home group. */
    public List<Long> westusCloses() {
        return HOME_GROUPS.stream().map(services.westWebPubSub::groupCloses).toList();
    }

    /** How many home groups that replica closed on westus for failback. */
    public static double failbackCloses(AppServerProcess replica) {
        return replica.counter("xregion_webpubsub_calls_total", "operation=\"failback-close\"",
                "instance=\"westus\"", "outcome=\"accepted\"");
    }

    /** 1 while that replica leads eastus's failback, else 0. */
    public static double leads(AppServerProcess replica) {
        return replica.counter("xregion_webpubsub_failback_leader", "namespace=\"xregion-failback-eastus\"");
    }

    @Override
    public void close() {
        replicas.forEach(AppServerProcess::close);
    }
}
