package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end: xregion.webpubsub.router names the bean that makes the routing choice, bound with a camel.beans line
 * or with @BindToRegistry, and negotiate follows it.
 */
@Tag("slow")
class PluggableRouterTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String PINNED = "#class:io.xregion.webpubsub.PinnedUsersRouter('tenant-a-.*', 'westus')";

    private static Map<String, String> properties(String router) {
        Map<String, String> properties = new HashMap<>(RunningApp.fastHealth(300, 300));
        properties.put("camel.beans.pinnedUsersRouter", PINNED);
        if (router != null) {
            properties.put("xregion.webpubsub.router", router);
        }
        return properties;
    }

    private static String region(RunningApp app, String userId) {
        HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate" + (userId == null ? "" : "?userId=" + userId)));
        assertEquals(200, answer.status(), answer.body());
        return answer.json().get("region").asText();
    }

    private static void awaitBothHealthy(RunningApp app) {
        WebPubSubHealth health = app.bean("webPubSubHealth", WebPubSubHealth.class);
        Awaitility.await().atMost(WAIT).until(() -> health.healthy("eastus") && health.healthy("westus"));
    }

    @Test
    void byDefaultTheRouterIsWebPubSubRouterWhateverElseIsBound() {
        try (RunningApp app = RunningApp.start(properties(null))) {
            awaitBothHealthy(app);
            assertEquals("eastus", region(app, "tenant-a-alice"), "bound but not named: the default router");
            assertSame(app.bean("webPubSubRouter", WebPubSubRouter.class),
                    app.bean("webPubSubRouting", WebPubSubRouting.class).router());
            assertTrue(app.bean("pinnedUsersRouter", WebPubSubRouter.class) instanceof PinnedUsersRouter);
        }
    }

    @Test
    void namingTheRouterBoundWithCamelBeansChangesNegotiatesChoice() {
        try (RunningApp app = RunningApp.start(properties("pinnedUsersRouter"))) {
            awaitBothHealthy(app);
            assertEquals("westus", region(app, "tenant-a-alice"));
            assertEquals("eastus", region(app, "bob"));
            assertEquals("eastus", region(app, null));
            // calls are the default router's: every healthy instance
            HttpCalls.Answer broadcast = HttpCalls.post(app.url("/broadcast"), "text/plain", "hi");
            assertEquals(202, broadcast.status(), broadcast.body());
            assertEquals(2, broadcast.json().get("accepted").asInt(), broadcast.body());

            assertEquals(200, HttpCalls.post(app.url("/dev/webpubsub/westus/down"), null, null).status());
            Awaitility.await().atMost(WAIT).until(() -> "eastus".equals(region(app, "tenant-a-alice")));
        }
    }

    @Test
    void namingARouterBoundWithBindToRegistryChangesNegotiatesChoice() {
        try (RunningApp app = RunningApp.start(properties("secondaryFirstRouter"))) {
            awaitBothHealthy(app);
            assertEquals("westus", region(app, "bob"));
            assertEquals("westus", region(app, null));
        }
    }

    @Test
    void aRouterNameThatIsNoRouterStopsStartUpNamingTheProperty() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> RunningApp.start(properties("noSuchRouter")).close());
        assertTrue(rootMessage(missing).startsWith("xregion.webpubsub.router names 'noSuchRouter', but no bean"),
                rootMessage(missing));
        IllegalStateException wrongType = assertThrows(IllegalStateException.class,
                () -> RunningApp.start(properties("webPubSubHealth")).close());
        assertTrue(rootMessage(wrongType).contains("which is not a io.xregion.webpubsub.WebPubSubRouter"),
                rootMessage(wrongType));
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
