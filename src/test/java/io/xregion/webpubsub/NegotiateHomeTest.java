package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.xregion.dev.DevEmulators;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.RunningApp;
import io.xregion.testing.WsClient;

/**
 * Negotiate's {@code home}: the answer names the client's home (the one it gave, else this app server's primary),
 * a real client that connects with the URL is a member of that home's group on the instance, and a home xregion
 * does not know, or one that is no instance name at all, is a 400 with a JSON error.
 */
@Tag("slow")
class NegotiateHomeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SHARDS = 4;

    private static RunningApp app;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        app = RunningApp.start(Map.of("xregion.webpubsub.home-groups.shards", Integer.toString(SHARDS)));
        Awaitility.await().atMost(WAIT).until(() -> HttpCalls.get(app.url("/negotiate")).status() == 200);
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    private static String homeGroup(JsonNode answer) throws java.text.ParseException {
        String token = answer.get("url").asText().replaceAll(".*access_token=", "");
        @SuppressWarnings("unchecked")
        List<String> groups = (List<String>) SignedJWT.parse(token).getJWTClaimsSet().getClaim("webpubsub.group");
        assertEquals(1, groups.size(), groups.toString());
        return groups.get(0);
    }

    /** Connects a real client with the answer's URL and checks it is in its home group on the instance. */
    private void assertConnectedInGroup(JsonNode answer, String group) {
        WsClient client = WsClient.connect(answer.get("url").asText(), "json.webpubsub.azure.v1");
        clients.add(client);
        JsonNode connected = client.nextJson(WAIT);
        assertEquals("connected", connected.get("event").asText());
        WebPubSubEmulator instance = app.bean("devEmulators", DevEmulators.class).webPubSub()
                .get(answer.get("region").asText());
        assertTrue(instance.groupMembers("chat", group).contains(connected.get("connectionId").asText()),
                "the client is not in " + group);
    }

    @Test
    void withoutHomeTheClientIsThisAppServersPrimarys() throws Exception {
        HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate?userId=alice"));
        assertEquals(200, answer.status(), answer.body());
        assertEquals("eastus", answer.json().get("home").asText());
        String group = homeGroup(answer.json());
        assertTrue(group.matches("xregion\\.home\\.eastus\\.[0-3]"), group);
        assertConnectedInGroup(answer.json(), group);
    }

    @Test
    void aGivenHomeIsKeptInTheAnswerAndDecidesTheHomeGroup() throws Exception {
        // a westus client that failed over to this (eastus) app server, e.g. because westus's app server is gone
        HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate?userId=bob&home=westus"));
        assertEquals(200, answer.status(), answer.body());
        assertEquals("westus", answer.json().get("home").asText());
        assertEquals("eastus", answer.json().get("region").asText(), "the router's choice is unchanged");
        String group = homeGroup(answer.json());
        assertTrue(group.matches("xregion\\.home\\.westus\\.[0-3]"), group);
        assertConnectedInGroup(answer.json(), group);
        // the same user keeps its shard whichever home group it is in
        String eastusGroup = homeGroup(HttpCalls.get(app.url("/negotiate?userId=bob")).json());
        assertEquals(group.substring(group.lastIndexOf('.')), eastusGroup.substring(eastusGroup.lastIndexOf('.')));
        // and it is not in eastus's home groups, which eastus's failback closes
        assertFalse(group.startsWith("xregion.home.eastus."));
    }

    @Test
    void anUnknownHomeIsRefusedWithAJsonError() {
        HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate?userId=carol&home=northeurope"));
        assertEquals(400, answer.status(), answer.body());
        assertEquals("BadRequest", answer.json().get("error").get("code").asText());
        assertTrue(answer.json().get("error").get("message").asText().contains("eastus, westus"), answer.body());
    }

    @Test
    void aMalformedHomeIsRefusedWithAJsonError() {
        for (String query : List.of("home=", "home=EastUS", "home=east%20us", "home=..%2Fwestus", "home=%FF",
                "home=eastus&home=westus", "home=" + "a".repeat(64))) {
            HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate?userId=dave&" + query));
            assertEquals(400, answer.status(), query + ": " + answer.body());
            assertEquals("BadRequest", answer.json().get("error").get("code").asText(), query);
            assertFalse(answer.body().contains("Exception"), query + ": " + answer.body());
        }
    }

    @Test
    void anAvoidedInstanceIsNotHandedOutWhileAnotherIsUpAndABadOneIsRefused() {
        HttpCalls.Answer avoided = HttpCalls.get(app.url("/negotiate?userId=erin&avoid=eastus"));
        assertEquals(200, avoided.status(), avoided.body());
        assertEquals("westus", avoided.json().get("region").asText(), "eastus, UP, was lost by this client");
        assertEquals("eastus", avoided.json().get("home").asText(), "the client's home does not change");
        assertEquals("eastus", HttpCalls.get(app.url("/negotiate?userId=erin")).json().get("region").asText(),
                "the hint is this negotiate's only");
        for (String query : List.of("avoid=northeurope", "avoid=", "avoid=EastUS", "avoid=eastus&avoid=westus")) {
            HttpCalls.Answer answer = HttpCalls.get(app.url("/negotiate?userId=erin&" + query));
            assertEquals(400, answer.status(), query + ": " + answer.body());
            assertEquals("BadRequest", answer.json().get("error").get("code").asText(), query);
        }
    }
}
