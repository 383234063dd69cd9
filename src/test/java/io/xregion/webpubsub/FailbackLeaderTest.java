package io.xregion.webpubsub;

import static io.xregion.testing.EastusReplicas.SHARDS;
import static io.xregion.testing.EastusReplicas.failbackCloses;
import static io.xregion.testing.EastusReplicas.leads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.AppServerProcess;
import io.xregion.testing.Closer;
import io.xregion.testing.EastusReplicas;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;

/**
 * Two replicas of eastus's app server, each its own JVM process (a file lock is the process's: in one JVM the second
 * lock attempt fails with OverlappingFileLockException, but closing any channel to the file would release the lock
 * the other context holds, and a dying context is not a dying process), sharing the emulators and one leadership
 * directory. Exactly one of them closes the home groups on westus, as counted by the westus emulator, when the app
 * servers start and when eastus comes back; once the leader is killed, the other takes over.
 */
@Tag("slow")
class FailbackLeaderTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path data;

    @RegisterExtension
    final Closer closer = new Closer();
    private final ExternalServices services = closer.add(new ExternalServices());
    private EastusReplicas replicas;

    private static void awaitRegion(AppServerProcess replica, String region) {
        Awaitility.await().atMost(WAIT).until(() -> {
            HttpCalls.Answer answer = HttpCalls.get(replica.url("/negotiate"));
            return answer.status() == 200 && region.equals(answer.json().get("region").asText());
        });
    }

    private void eastusDownAndUp() {
        services.eastWebPubSub.down();
        replicas.all().stream().filter(AppServerProcess::alive).forEach(r -> awaitRegion(r, "westus"));
        services.eastWebPubSub.up();
        replicas.all().stream().filter(AppServerProcess::alive).forEach(r -> awaitRegion(r, "eastus"));
    }

    @Test
    void oneReplicaPerRegionFailsBackAndTheOtherTakesOverWhenItDies() throws Exception {
        replicas = closer.add(EastusReplicas.start(services, data, "failback-leader-replica", START));

        // both started with eastus UP: the start-up failback, once, by the leader
        Awaitility.await().atMost(WAIT).until(() -> replicas.westusCloses().equals(List.of(1L, 1L)));
        AppServerProcess leader = replicas.all().stream().filter(r -> failbackCloses(r) == SHARDS).findFirst()
                .orElseThrow(() -> new AssertionError("no replica counted the start-up failback"));
        AppServerProcess follower = replicas.get(replicas.all().indexOf(leader) == 0 ? 1 : 0);
        assertEquals(0, failbackCloses(follower), "the follower closed home groups too");
        assertEquals(1, leads(leader), "the leader's gauge");
        assertEquals(0, leads(follower), "the follower's gauge");

        // eastus lost and back, seen by both replicas: the leader alone fails back
        eastusDownAndUp();
        Awaitility.await().atMost(WAIT).until(() -> replicas.westusCloses().equals(List.of(2L, 2L)));
        Awaitility.await().atMost(WAIT).until(() -> failbackCloses(leader) == 2 * SHARDS);
        assertEquals(0, failbackCloses(follower), "the follower closed home groups too");
        assertEquals(List.of(2L, 2L), replicas.westusCloses(), "each home group closed once per failback");

        // the leader dies: the follower takes over and runs the failback it was keeping (the leader might have died
        // in the middle of it), then the next one
        leader.kill();
        Awaitility.await().atMost(WAIT).until(() -> replicas.westusCloses().equals(List.of(3L, 3L)));
        assertEquals(SHARDS, failbackCloses(follower));
        assertEquals(1, leads(follower), "the new leader's gauge");
        eastusDownAndUp();
        Awaitility.await().atMost(WAIT).until(() -> replicas.westusCloses().equals(List.of(4L, 4L)));
        assertEquals(2 * SHARDS, failbackCloses(follower));
        assertTrue(follower.alive());
    }
}
