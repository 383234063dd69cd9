package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import io.xregion.testing.Keys;
import org.junit.jupiter.api.Test;
import io.xregion.health.HealthState;

/** The example decorator: pinned users go to their instance while it is healthy; the rest is the inner router's. */
class PinnedUsersRouterTest {

    private static final WebPubSubInstance EAST = instance("eastus", InstanceRole.PRIMARY);
    private static final WebPubSubInstance WEST = instance("westus", InstanceRole.SECONDARY);

    private final WebPubSubRouter router = new PinnedUsersRouter("tenant-a-.*", "westus");

    private static WebPubSubInstance instance(String name, InstanceRole role) {
        return new WebPubSubInstance(name, URI.create("https://" + name + ".webpubsub.azure.com"), Keys.random(), role);
    }

    private static List<InstanceSnapshot> states(HealthState east, HealthState west) {
        return List.of(new InstanceSnapshot(EAST, east), new InstanceSnapshot(WEST, west));
    }

    private Optional<WebPubSubInstance> negotiate(String userId, List<InstanceSnapshot> instances) {
        return router.negotiateTarget(new NegotiateRequest(userId), instances);
    }

    @Test
    void pinnedUsersGoToTheirInstanceWhileItIsHealthy() {
        assertEquals(Optional.of(WEST), negotiate("tenant-a-alice", states(HealthState.UP, HealthState.UP)));
        assertEquals(Optional.of(WEST), negotiate("tenant-a-alice", states(HealthState.DOWN, HealthState.UP)));
    }

    @Test
    void everyoneElseGetsTheDefaultChoice() {
        List<InstanceSnapshot> bothUp = states(HealthState.UP, HealthState.UP);
        assertEquals(Optional.of(EAST), negotiate("bob", bothUp));
        assertEquals(Optional.of(EAST), negotiate(null, bothUp));
        assertEquals(Optional.of(EAST), negotiate("x-tenant-a-alice", bothUp), "the whole userId must match");
    }

    @Test
    void whileTheirInstanceIsNotHealthyPinnedUsersGetTheDefaultChoice() {
        assertEquals(Optional.of(EAST), negotiate("tenant-a-alice", states(HealthState.UP, HealthState.DOWN)));
        assertEquals(Optional.of(EAST), negotiate("tenant-a-alice", states(HealthState.UP, HealthState.UNKNOWN)));
        assertEquals(Optional.empty(), negotiate("tenant-a-alice", states(HealthState.DOWN, HealthState.DOWN)));
    }

    @Test
    void itDecoratesTheRouterItIsGivenAndLeavesCallsToIt() {
        List<WebPubSubInstance> calls = List.of(WEST);
        WebPubSubRouter inner = new WebPubSubRouter() {
            @Override
            public Optional<WebPubSubInstance> negotiateTarget(NegotiateRequest request,
                    List<InstanceSnapshot> instances) {
                return Optional.of(WEST);
            }

            @Override
            public List<WebPubSubInstance> fanoutTargets(WebPubSubRequest request, List<InstanceSnapshot> instances) {
                return calls;
            }
        };
        WebPubSubRouter decorated = new PinnedUsersRouter(inner, "tenant-a-.*", "eastus");
        List<InstanceSnapshot> bothUp = states(HealthState.UP, HealthState.UP);
        assertEquals(Optional.of(EAST), decorated.negotiateTarget(new NegotiateRequest("tenant-a-alice"), bothUp));
        assertEquals(Optional.of(WEST), decorated.negotiateTarget(new NegotiateRequest("bob"), bothUp));
        assertSame(calls, decorated.fanoutTargets(new WebPubSubRequests("chat", "bye").broadcastToAll(), bothUp));
        assertEquals(List.of(EAST, WEST), router.fanoutTargets(new WebPubSubRequests("chat", "bye").broadcastToAll(),
                bothUp), "by default, the default router's calls");
    }
}
