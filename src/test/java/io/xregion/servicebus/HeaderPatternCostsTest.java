package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PatternHelper;
import org.junit.jupiter.api.Test;

import io.xregion.webpubsub.WebPubSubRestEndpoints;

/**
 * Two per-message steps are Java rather than Camel's own, because Camel 4.17.0 matches every header of a message
 * against a pattern as a regular expression compiled anew for each header ({@code PatternHelper.matchRegex}, no
 * cache): the receive route's counters (not the micrometer endpoint, which removes its {@code CamelMetrics*} headers
 * that way after every count) and the fan-out's "every header but Content-Type" (not {@code removeHeaders} with an
 * {@code excludePattern}). This fails when Camel stops doing so, and the two may go back to the stock steps.
 */
class HeaderPatternCostsTest {

    @Test
    void camelStillMatchesHeaderPatternsByRegularExpressionsCompiledPerHeader() throws Exception {
        List<Field> statics = Arrays.stream(PatternHelper.class.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers())).toList();
        assertTrue(statics.isEmpty(), "PatternHelper now keeps state (a cache of compiled patterns?): " + statics
                + "; ServiceBusCounters and WebPubSubRestEndpoints.keepContentTypeOnly may be stock steps again");

        try (CamelContext camel = new DefaultCamelContext()) {
            MeterRegistry meters = new SimpleMeterRegistry();
            camel.getRegistry().bind("meterRegistry", meters);
            camel.start();
            ProducerTemplate template = camel.createProducerTemplate();
            Exchange exchange = new DefaultExchange(camel);
            // "CamelMetrics*" as a prefix leaves CamelMetric alone; as a regular expression (s zero or more times) not
            exchange.getMessage().setHeader("CamelMetric", "x");
            exchange.getMessage().setHeader("CamelAzureServiceBusMessageId", "m1");
            template.send("micrometer:counter:probe", exchange);
            assertEquals(1.0, meters.get("probe").counter().count());
            assertNull(exchange.getMessage().getHeader("CamelMetric"), "the micrometer endpoint no longer matches "
                    + "every header against a regular expression: the receive route may count with it again");
            assertEquals("m1", exchange.getMessage().getHeader("CamelAzureServiceBusMessageId"));
        }
    }

    @Test
    void theFanoutKeepsOnlyTheContentType() throws Exception {
        WebPubSubRestEndpoints endpoints = new WebPubSubRestEndpoints(null, "signer", 1000, 1000, 200);
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Exchange exchange = new DefaultExchange(camel);
            exchange.getMessage().setHeader("content-type", "text/plain");
            exchange.getMessage().setHeader("CamelAzureServiceBusMessageId", "m1");
            exchange.getMessage().setHeader("Authorization", "Bearer secret");
            endpoints.keepContentTypeOnly(exchange);
            assertEquals(1, exchange.getMessage().getHeaders().size());
            assertEquals("text/plain", exchange.getMessage().getHeader("Content-Type"));

            Exchange none = new DefaultExchange(camel);
            none.getMessage().setHeader("X-Other", "1");
            endpoints.keepContentTypeOnly(none);
            assertTrue(none.getMessage().getHeaders().isEmpty());
            assertFalse(none.getMessage().getHeaders().containsKey("Content-Type"));
        }
    }
}
