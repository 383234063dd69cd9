package io.xregion.leadership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.camel.support.task.budget.Budgets;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.AppServerProcess;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.RunningApp;

/**
 * A replica that lost the election keeps seeking leadership for as long as it lives: it takes over when the leader
 * dies, even after the leader's "Leadership" start task has spent its budget and warned, and after the follower
 * itself has waited longer than that budget. (The budget belongs to camel-master's task that starts the leader-only
 * consumer once leadership is taken; a follower has no such task, and its lock attempts run on the cluster service's
 * own timer: see src/main/resources/log4j2.properties.) Two replicas of eastus's app server as two processes, as in
 * FailbackLeaderTest; the new leader shows it by running the start-up failback it kept, counted by the westus
 * emulator.
 */
@Tag("slow")
class LateTakeoverTest {

    private static final int SHARDS = 2;
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> HOME_GROUPS = List.of("xregion.home.eastus.0", "xregion.home.eastus.1");
    /** camel-master 4.17.0's start task: camel-support's iteration/time budget with its default time limit. */
    private static final Duration BUDGET = Duration.ofMillis(Budgets.iterationTimeBudget().build().maxDuration());

    @TempDir
    Path data;

    private final ExternalServices services = new ExternalServices();
    private final List<AppServerProcess> replicas = new ArrayList<>();

    @AfterEach
    void stop() {
        replicas.forEach(AppServerProcess::close);
        services.close();
    }

    @Test
    void aFollowerTakesOverLongAfterTheLeadersStartTaskRanOutOfBudget() throws Exception {
        CompletableFuture<AppServerProcess> first = CompletableFuture.supplyAsync(() -> start(0));
        CompletableFuture<AppServerProcess> second = CompletableFuture.supplyAsync(() -> start(1));
        replicas.add(first.join());
        replicas.add(second.join());
        Instant bothStarted = Instant.now();

        Awaitility.await().atMost(WAIT).until(() -> westusCloses().equals(List.of(1L, 1L)));
        int leaderIndex = leads(replicas.get(0)) == 1 ? 0 : 1;
        AppServerProcess leader = replicas.get(leaderIndex);
        AppServerProcess follower = replicas.get(1 - leaderIndex);
        assertEquals(1, leads(leader), "the leader's gauge");
        assertEquals(0, leads(follower), "the follower's gauge");

        // the leader's start task has spent its budget, and the follower has sought leadership for longer than it
        Awaitility.await().atMost(WAIT).until(() -> log(leaderIndex).contains(
                "BackgroundTask - The task Leadership does not have more budget to continue running")
                && Duration.between(bothStarted, Instant.now()).compareTo(BUDGET) > 0);
        assertEquals(0, leads(follower), "the follower's gauge");

        leader.kill();
        Awaitility.await().atMost(WAIT).until(() -> leads(follower) == 1);
        // it runs the failback it kept while it followed
        Awaitility.await().atMost(WAIT).until(() -> westusCloses().equals(List.of(2L, 2L)));
        assertEquals(SHARDS, failbackCloses(follower));
    }

    private Map<String, String> replica(int n) {
        Map<String, String> settings = new LinkedHashMap<>(services.productionSettings());
        settings.putAll(RunningApp.fastHealth(500, 500));
        settings.put("xregion.webpubsub.home-groups.shards", Integer.toString(SHARDS));
        settings.put("xregion.webpubsub.failback.pace-ms", "100");
        settings.put("xregion.leadership.file.root", data.resolve("leadership").toString());
        settings.put("xregion.leadership.file.acquire-interval-ms", "300");
        settings.put("xregion.servicebus.outbox.directory", data.resolve("outbox-" + n).toString());
        return settings;
    }

    private AppServerProcess start(int n) {
        try {
            return AppServerProcess.start(replica(n), "late-takeover-replica-" + n, START);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String log(int n) {
        try {
            return Files.readString(Path.of("target/late-takeover-replica-" + n + ".log"));
        } catch (IOException e) {
            return "";
        }
    }

    private List<Long> westusCloses() {
        return HOME_GROUPS.stream().map(services.westWebPubSub::groupCloses).toList();
    }

    private static double failbackCloses(AppServerProcess replica) {
        return replica.counter("xregion_webpubsub_calls_total", "operation=\"failback-close\"",
                "instance=\"westus\"", "outcome=\"accepted\"");
    }

    private static double leads(AppServerProcess replica) {
        return replica.counter("xregion_webpubsub_failback_leader", "namespace=\"xregion-failback-eastus\"");
    }
}
