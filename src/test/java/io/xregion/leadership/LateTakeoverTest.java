package io.xregion.leadership;

import static io.xregion.testing.EastusReplicas.SHARDS;
import static io.xregion.testing.EastusReplicas.failbackCloses;
import static io.xregion.testing.EastusReplicas.leads;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.camel.support.task.budget.Budgets;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.AppServerProcess;
import io.xregion.testing.Closer;
import io.xregion.testing.EastusReplicas;
import io.xregion.testing.ExternalServices;

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

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** camel-master 4.17.0's start task: camel-support's iteration/time budget with its default time limit. */
    private static final Duration BUDGET = Duration.ofMillis(Budgets.iterationTimeBudget().build().maxDuration());

    @TempDir
    Path data;

    @RegisterExtension
    final Closer closer = new Closer();
    private final ExternalServices services = closer.add(new ExternalServices());
    private EastusReplicas replicas;

    @Test
    void aFollowerTakesOverLongAfterTheLeadersStartTaskRanOutOfBudget() throws Exception {
        replicas = closer.add(EastusReplicas.start(services, data, "late-takeover-replica", START));
        Instant bothStarted = Instant.now();

        Awaitility.await().atMost(WAIT).until(() -> replicas.westusCloses().equals(List.of(1L, 1L)));
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
        Awaitility.await().atMost(WAIT).until(() -> replicas.westusCloses().equals(List.of(2L, 2L)));
        assertEquals(SHARDS, failbackCloses(follower));
    }

    private static String log(int n) {
        try {
            return Files.readString(Path.of("target/late-takeover-replica-" + n + ".log"));
        } catch (IOException e) {
            return "";
        }
    }
}
