package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.util.List;

import io.xregion.http.ApiException;
import io.xregion.testing.Keys;
import org.apache.camel.support.SimpleRegistry;
import org.junit.jupiter.api.Test;
import io.xregion.health.HealthState;

/** Negotiate prefers the primary, then secondaries in order; fan-outs go to healthy instances only. */
class RoutingChoiceTest {

    private final WebPubSubInstances instances = new WebPubSubInstances(List.of(
            instance("eastus", "https://east.webpubsub.azure.com", InstanceRole.SECONDARY),
            instance("westus", "https://west.webpubsub.azure.com", InstanceRole.PRIMARY),
            instance("northeurope", "https://north.webpubsub.azure.com", InstanceRole.SECONDARY)), "chat");
    private final WebPubSubHealth health = new WebPubSubHealth(instances, 1, 1, Clock.systemUTC());
    private final WebPubSubRestEndpoints endpoints = new WebPubSubRestEndpoints(instances, "signer", 1000, 1000, 1000);
    private final WebPubSubRouting routing = new WebPubSubRouting(health, instances, 5);

    RoutingChoiceTest() {
        SimpleRegistry registry = new SimpleRegistry();
        registry.bind("webPubSubRouter", new PrimaryFirstRouter());
        routing.use("webPubSubRouter", registry);
    }

    private static WebPubSubInstance instance(String name, String endpoint, InstanceRole role) {
        return new WebPubSubInstance(name, URI.create(endpoint), Keys.random(), role);
    }

    @Test
    void negotiateTakesThePrimaryThenSecondariesInPreferenceOrder() {
        assertNull(routing.negotiateTarget("alice"), "nothing is healthy before the first probe");
        health.probed("eastus", 200);
        health.probed("northeurope", 200);
        assertEquals("eastus", routing.negotiateTarget("alice").name(), "primary unknown: the first healthy secondary");
        health.probed("westus", 200);
        assertEquals("westus", routing.negotiateTarget("alice").name());
        health.probed("westus", 503);
        health.probed("eastus", 503);
        assertEquals("northeurope", routing.negotiateTarget(null).name());
        ApiException refused = assertThrows(ApiException.class, routing::noHealthyInstance);
        assertEquals(503, refused.status());
        assertEquals(5, refused.retryAfterSeconds());
    }

    @Test
    void anInstanceTheClientJustLostIsAvoidedUnlessNoOtherIsUp() {
        health.probed("eastus", 200);
        health.probed("westus", 200);
        WebPubSubInstance west = instances.byName("westus").orElseThrow();
        WebPubSubInstance east = instances.byName("eastus").orElseThrow();
        assertEquals("westus", routing.negotiateTarget("alice", null).name());
        assertEquals("eastus", routing.negotiateTarget("alice", west).name(),
                "the primary, still UP here, is what this client lost: the healthy secondary");
        assertEquals("westus", routing.negotiateTarget("alice", east).name());
        health.probed("eastus", 503);
        assertEquals("westus", routing.negotiateTarget("alice", west).name(),
                "no other instance is UP: the hint does not leave the client without one");
        assertEquals(west, routing.avoided("westus"));
        assertNull(routing.avoided(null));
        assertEquals(400, assertThrows(ApiException.class, () -> routing.avoided("nowhere")).status());
        assertEquals(400, assertThrows(ApiException.class, () -> routing.avoided(List.of("a", "b"))).status());
        assertEquals(400, assertThrows(ApiException.class, () -> routing.avoided("Not A Name")).status());
    }

    @Test
    void fanOutsGoToHealthyInstancesAndFailbackSkipsThePrimary() {
        health.probed("eastus", 200);
        health.probed("westus", 200);
        health.probed("northeurope", 503);
        WebPubSubRequests requests = new WebPubSubRequests("chat", "bye");
        List<WebPubSubInstance> targets = routing.fanoutTargets(requests.broadcastToAll());
        assertEquals(List.of("eastus", "westus"), targets.stream().map(WebPubSubInstance::name).toList());
        List<String> all = targets.stream().map(endpoints::uri).toList();
        assertTrue(all.get(0).startsWith("https://east.webpubsub.azure.com?httpMethod=POST&httpClientConfigurer=#signer"),
                all.get(0));
        assertEquals("eastus", endpoints.instanceOf(all.get(0)).name());
        assertEquals(List.of("eastus"), routing.fanoutTargets(requests.closeGroupOnSecondaries("g")).stream()
                .map(WebPubSubInstance::name).toList());
    }

    @Test
    void whenEveryInstanceIsDownAtOnceAFanOutCallsThemAllRatherThanNone() {
        WebPubSubRequests requests = new WebPubSubRequests("chat", "bye");
        health.probed("eastus", 200);
        health.probed("westus", 503);
        health.probed("northeurope", 503);
        assertEquals(List.of("eastus"), routing.fanoutTargets(requests.broadcastToAll()).stream()
                .map(WebPubSubInstance::name).toList(), "one instance UP: only it");
        health.probed("eastus", 503);
        assertEquals(List.of("eastus", "westus", "northeurope"), routing.fanoutTargets(requests.broadcastToAll())
                .stream().map(WebPubSubInstance::name).toList(), "every instance DOWN: every one is tried");
        assertNull(routing.negotiateTarget("alice"), "negotiate still refuses: a client is not sent to a DOWN instance");
    }

    @Test
    void routersSeeEveryInstanceWithItsRoleAndHealthAsOfTheLastChange() {
        List<InstanceSnapshot> before = health.current();
        assertEquals(List.of("eastus", "westus", "northeurope"), before.stream().map(InstanceSnapshot::name).toList());
        assertEquals(List.of(InstanceRole.SECONDARY, InstanceRole.PRIMARY, InstanceRole.SECONDARY),
                before.stream().map(InstanceSnapshot::role).toList());
        assertTrue(before.stream().allMatch(s -> s.state() == HealthState.UNKNOWN));
        health.probed("westus", 200);
        List<InstanceSnapshot> after = health.current();
        assertEquals(HealthState.UP, after.get(1).state());
        assertEquals(HealthState.UNKNOWN, before.get(1).state(), "a snapshot does not change under a router");
        // a result that changes no state leaves the routers' view as it is: reading it costs nothing per request
        health.probed("westus", 200);
        assertSame(after, health.current());
        assertThrows(UnsupportedOperationException.class, () -> after.clear());
    }

    @Test
    void theRouterIsTheBeanOfTheNameGivenAndAnythingElseIsRefusedNamingTheProperty() {
        SimpleRegistry registry = new SimpleRegistry();
        PinnedUsersRouter pinned = new PinnedUsersRouter("vip-.*", "eastus");
        registry.bind("pinned", pinned);
        registry.bind("notARouter", health);
        WebPubSubRouting other = new WebPubSubRouting(health, instances, 5);
        other.use("pinned", registry);
        assertSame(pinned, other.router());
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> other.use("nope", registry));
        assertTrue(missing.getMessage().startsWith("xregion.webpubsub.router names 'nope', but no bean of that name"),
                missing.getMessage());
        IllegalStateException wrongType = assertThrows(IllegalStateException.class,
                () -> other.use("notARouter", registry));
        assertTrue(wrongType.getMessage().contains("not a io.xregion.webpubsub.WebPubSubRouter"),
                wrongType.getMessage());
        assertSame(pinned, other.router(), "a refused name leaves the router as it was");
    }

    @Test
    void requestPathsEncodeNamesAsSingleSegments() {
        WebPubSubRequests requests = new WebPubSubRequests("chat", "back home");
        assertEquals("/api/hubs/chat/groups/a%2Fb%20c%3F/:send", requests.broadcastToGroup("a/b c?").path());
        assertEquals("/api/hubs/chat/users/al%C3%AFce/:send", requests.broadcastToUser("alïce").path());
        WebPubSubRequest close = requests.closeGroupOnSecondaries("xregion.home.westus.3");
        assertEquals("/api/hubs/chat/groups/xregion.home.westus.3/:closeConnections", close.path());
        assertEquals("api-version=2024-01-01&reason=back%20home", close.rawQuery());
    }

    @Test
    void homeGroupsAreStablePerUserAndCoverEveryShard() {
        HomeGroups groups = new HomeGroups("xregion.home", "westus", 4);
        assertEquals(groups.groupFor("alice"), groups.groupFor("alice"));
        assertEquals(List.of("xregion.home.westus.0", "xregion.home.westus.1", "xregion.home.westus.2",
                "xregion.home.westus.3"), groups.all());
        assertTrue(groups.all().contains(groups.groupFor(null)));
        long distinct = java.util.stream.IntStream.range(0, 200).mapToObj(i -> groups.groupFor("user-" + i))
                .distinct().count();
        assertEquals(4, distinct);
    }
}
