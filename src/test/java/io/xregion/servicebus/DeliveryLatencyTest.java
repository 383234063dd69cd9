package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** A processed message's delivery latency: from its publish's acceptance, else its copy's EnqueuedTime; never < 0. */
class DeliveryLatencyTest {

    private static final Instant NOW = Instant.parse("2026-12-06T06:00:10Z");

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final ServiceBusCounters counters;

    DeliveryLatencyTest() {
        context.getRegistry().bind("meters", MeterRegistry.class, meters);
        counters = new ServiceBusCounters(context, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private Exchange received(Map<String, Object> applicationProperties, Instant enqueued) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(ServiceBusConstants.APPLICATION_PROPERTIES, applicationProperties);
        exchange.getMessage().setHeader(ServiceBusConstants.ENQUEUED_TIME, OffsetDateTime.ofInstant(enqueued,
                ZoneOffset.UTC));
        return exchange;
    }

    private Timer latency() {
        return meters.get("xregion.delivery.latency").timer();
    }

    @Test
    void timedFromThePublishAcceptedNotFromTheCopysEnqueuedTime() {
        counters.processed(received(Map.of(AcceptedAt.PROPERTY, NOW.minusSeconds(4).toEpochMilli()),
                NOW.minusSeconds(1)));
        assertEquals(1, latency().count());
        assertEquals(4000.0, latency().totalTime(TimeUnit.MILLISECONDS));
        assertEquals(1.0, meters.get("xregion.servicebus.processed").counter().count());
    }

    @Test
    void anotherProducersMessageIsTimedFromItsEnqueuedTime() {
        counters.processed(received(Map.of("other", "x"), NOW.minusMillis(1500)));
        assertEquals(1500.0, latency().totalTime(TimeUnit.MILLISECONDS));
    }

    @Test
    void aClockBehindThePublishersCountsAsZero() {
        counters.processed(received(Map.of(AcceptedAt.PROPERTY, NOW.plusSeconds(2).toEpochMilli()), NOW));
        assertEquals(1, latency().count());
        assertEquals(0.0, latency().totalTime(TimeUnit.MILLISECONDS));
    }
}
