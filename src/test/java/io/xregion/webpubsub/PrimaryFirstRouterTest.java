package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import io.xregion.testing.Keys;
import org.junit.jupiter.api.Test;
import io.xregion.health.HealthState;

/** The default router as the function it is: instances with roles and health in, a choice out. */
class PrimaryFirstRouterTest {

    private static final WebPubSubInstance EAST = instance("eastus", InstanceRole.SECONDARY);
    private static final WebPubSubInstance WEST = instance("westus", InstanceRole.PRIMARY);
    private static final WebPubSubInstance NORTH = instance("northeurope", InstanceRole.SECONDARY);
    private static final NegotiateRequest ALICE = new NegotiateRequest("alice");

    private final WebPubSubRouter router = new PrimaryFirstRouter();
    private final WebPubSubRequests requests = new WebPubSubRequests("chat", "bye");

    private static WebPubSubInstance instance(String name, InstanceRole role) {
        return new WebPubSubInstance(name, URI.create("https://" + name + ".webpubsub.azure.com"), Keys.random(), role);
    }

    /** The three instances in preference order (eastus, westus the primary, northeurope) in these states. */
    private static List<InstanceSnapshot> states(HealthState east, HealthState west, HealthState north) {
        return List.of(new InstanceSnapshot(EAST, east), new InstanceSnapshot(WEST, west),
                new InstanceSnapshot(NORTH, north));
    }

    private static final HealthState UP = HealthState.UP;
    private static final HealthState DOWN = HealthState.DOWN;
    private static final HealthState UNKNOWN = HealthState.UNKNOWN;

    @Test
    void negotiateTakesTheHealthyPrimaryWhereverItStandsInPreferenceOrder() {
        assertEquals(Optional.of(WEST), router.negotiateTarget(ALICE, states(UP, UP, UP)));
        assertEquals(Optional.of(WEST), router.negotiateTarget(new NegotiateRequest(null), states(DOWN, UP, UP)));
    }

    @Test
    void withoutAHealthyPrimaryNegotiateTakesTheFirstHealthySecondary() {
        assertEquals(Optional.of(EAST), router.negotiateTarget(ALICE, states(UP, DOWN, UP)));
        assertEquals(Optional.of(EAST), router.negotiateTarget(ALICE, states(UP, UNKNOWN, UP)));
        assertEquals(Optional.of(NORTH), router.negotiateTarget(ALICE, states(DOWN, DOWN, UP)));
        assertEquals(Optional.of(NORTH), router.negotiateTarget(ALICE, states(UNKNOWN, DOWN, UP)));
    }

    @Test
    void withNothingHealthyNegotiateHasNoTarget() {
        assertEquals(Optional.empty(), router.negotiateTarget(ALICE, states(DOWN, DOWN, DOWN)));
        assertEquals(Optional.empty(), router.negotiateTarget(ALICE, states(UNKNOWN, UNKNOWN, UNKNOWN)));
        assertEquals(Optional.empty(), router.negotiateTarget(ALICE, List.of()));
    }

    @Test
    void broadcastsGoToEveryInstanceNotKnownDownInPreferenceOrder() {
        assertEquals(List.of(EAST, WEST, NORTH), router.fanoutTargets(requests.broadcastToAll(), states(UP, UP, UP)));
        assertEquals(List.of(EAST, NORTH), router.fanoutTargets(requests.broadcastToGroup("g"),
                states(UP, DOWN, UP)));
        // an instance not probed yet is called too: an app server that has just started broadcasts what it reads at once
        assertEquals(List.of(EAST, WEST), router.fanoutTargets(requests.broadcastToUser("u"),
                states(UNKNOWN, UP, DOWN)));
        assertEquals(List.of(NORTH), router.fanoutTargets(requests.broadcastToAll(), states(DOWN, DOWN, UNKNOWN)));
        assertEquals(List.of(), router.fanoutTargets(requests.broadcastToAll(), states(DOWN, DOWN, DOWN)));
    }

    @Test
    void failbackClosesGoToTheSecondariesNotKnownDownOnly() {
        WebPubSubRequest close = requests.closeGroupOnSecondaries("xregion.home.westus.0");
        assertEquals(List.of(EAST, NORTH), router.fanoutTargets(close, states(UP, UP, UP)));
        assertEquals(List.of(NORTH), router.fanoutTargets(close, states(DOWN, UP, UP)));
        assertEquals(List.of(), router.fanoutTargets(close, states(DOWN, UP, DOWN)));
        // a restarted app server's failback, before its first probe of the secondaries
        assertEquals(List.of(EAST, NORTH), router.fanoutTargets(close, states(UNKNOWN, UP, UNKNOWN)));
    }
}
