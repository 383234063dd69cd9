package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.xregion.testing.AuditSubscription;

/**
 * What a send does with each namespace's answer, through the real publish, send and outbox routes and two local
 * namespaces: an outage moves the message (passive) or is outvoted (active) and is recorded as unavailable; a refusal
 * any namespace would repeat reaches the caller and moves nothing.
 */
class ServiceBusSendRoutesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    abstract static class SendRoutes extends ServiceBusRouteTestSupport {

        @Override
        protected List<String> routeFiles() {
            return List.of("http-api", "servicebus-publish", "servicebus-send", "servicebus-outbox");
        }

        /** Publishes through direct:publish, as a route or the publish API does, and keeps the API's answer. */
        Exchange publish(String messageId) {
            Exchange exchange = template.send("direct:publish", e -> {
                e.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, messageId);
                e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                e.getMessage().setBody("{\"n\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            });
            if (exchange.getException() == null) {
                bean("publishRequests", PublishRequests.class).answer(exchange);
            }
            return exchange;
        }

        static JsonNode namespaces(Exchange answered) throws Exception {
            return new ObjectMapper().readTree(answered.getMessage().getBody(String.class)).get("namespaces");
        }

        void assertSent(Exchange exchange) {
            assertNull(exchange.getException());
            assertEquals("sent", exchange.getVariable("publishStatus"));
        }
    }

    @Nested
    class Passive extends SendRoutes {

        @Override
        protected Map<String, String> settings() {
            return Map.of("xregion.servicebus.mode", "passive");
        }

        @Test
        void anOutageOfTheNamespaceInUseFailsOverIsRecordedAsUnavailableAndTheOtherStaysInUse() throws Exception {
            eastus.rejectSends("com.microsoft:server-busy", "busy");
            Exchange failover = publish("m-1");

            assertSent(failover);
            JsonNode namespaces = namespaces(failover);
            assertTrue(namespaces.get("eastus").asText().startsWith("unavailable: "), namespaces.toString());
            assertEquals("accepted", namespaces.get("westus").asText());
            assertEquals(1.0, counter("xregion.servicebus.sends", "namespace", "eastus", "outcome", "unavailable"));
            assertEquals(context.getName(), meters.get("xregion.servicebus.sends").tags("namespace", "eastus")
                    .counter().getId().getTag("camelContext"), "the series dashboards know");
            assertEquals(1.0, counter("xregion.servicebus.failovers", "to", "westus"));
            assertTrue(!bean("namespaceHealth", NamespaceHealth.class).reachable("eastus"));

            // sticky: the next message goes to westus alone, though eastus takes messages again
            eastus.acceptSends();
            Exchange next = publish("m-2");
            assertSent(next);
            assertEquals("{\"westus\":\"accepted\"}", namespaces(next).toString());
            assertEquals(List.of("m-1", "m-2"), AuditSubscription.messageIds(westus, 2, WAIT));
            assertEquals(0, eastus.depth("events/subscriptions/audit"));
        }

        @Test
        void aRefusalReachesTheCallerAndDoesNotFailOver() {
            eastus.rejectSends("amqp:unauthorized-access", "rotated key");
            Exchange refused = publish("m-1");

            SendRefusedException refusal = assertInstanceOf(SendRefusedException.class, refused.getException());
            assertEquals("ServiceBusUnauthorized", refusal.code());
            assertEquals(1.0, counter("xregion.servicebus.sends", "namespace", "eastus", "outcome", "refused"));
            assertEquals(0.0, counter("xregion.servicebus.sends", "namespace", "westus"), "nothing failed over");
            assertEquals(0.0, counter("xregion.servicebus.failovers"));
            assertEquals(0, bean("outbox", Outbox.class).depth(), "a refusal is not queued");
            assertEquals(0, westus.depth("events/subscriptions/audit"));
        }
    }

    @Nested
    class Active extends SendRoutes {

        @Override
        protected Map<String, String> settings() {
            return Map.of("xregion.servicebus.mode", "active");
        }

        @Test
        void aMessageOneNamespaceAcceptsIsSentAndTheOtherIsRecordedThenSkipped() throws Exception {
            westus.rejectSends("com.microsoft:server-busy", "busy");
            Exchange oneAccepted = publish("m-1");

            assertSent(oneAccepted);
            JsonNode namespaces = namespaces(oneAccepted);
            assertEquals("accepted", namespaces.get("eastus").asText());
            assertTrue(namespaces.get("westus").asText().startsWith("unavailable: "), namespaces.toString());

            // westus is known to be unreachable now: its copy is skipped until the probe sees it again
            Exchange skipped = publish("m-2");
            assertSent(skipped);
            assertEquals("skipped: unreachable", namespaces(skipped).get("westus").asText());
            assertEquals(List.of("m-1", "m-2"), AuditSubscription.messageIds(eastus, 2, WAIT));
        }

        @Test
        void withNoNamespaceAcceptingARefusalReachesTheCallerRatherThanTheOutbox() {
            eastus.rejectSends("amqp:unauthorized-access", "rotated key");
            westus.rejectSends("com.microsoft:server-busy", "busy");
            Exchange refused = publish("m-1");

            SendRefusedException refusal = assertInstanceOf(SendRefusedException.class, refused.getException());
            assertEquals("ServiceBusUnauthorized", refusal.code());
            assertEquals(0, bean("outbox", Outbox.class).depth());
        }

        @Test
        void withEveryNamespaceOutTheMessageIsQueued() throws Exception {
            eastus.rejectSends("com.microsoft:server-busy", "busy");
            westus.rejectSends("com.microsoft:server-busy", "busy");
            Exchange queued = publish("m-1");

            assertNull(queued.getException());
            assertEquals("queued", queued.getVariable("publishStatus"));
            assertEquals(1, bean("outbox", Outbox.class).depth());
            JsonNode namespaces = namespaces(queued);
            assertTrue(namespaces.get("eastus").asText().startsWith("unavailable: "), namespaces.toString());
            assertTrue(namespaces.get("westus").asText().startsWith("unavailable: "), namespaces.toString());
        }
    }
}
