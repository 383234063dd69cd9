package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The replication lag: the second copy of a MessageId, from the other namespace, is timed once. */
class ReplicationLagTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 12, 6, 6, 0, 0, 0, ZoneOffset.UTC);

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final ReplicationLag lag = new ReplicationLag(counters(), Duration.ofMinutes(10), 1000);

    private ServiceBusCounters counters() {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("meters", MeterRegistry.class, meters);
        return new ServiceBusCounters(context);
    }

    @Test
    void theSecondCopyFromTheOtherNamespaceIsTimedAndTaggedWithTheLaterNamespace() {
        // the later copy may arrive first: the tag is the namespace that took the message later
        lag.delivered("westus", "m-1", T0.plusNanos(TimeUnit.MILLISECONDS.toNanos(250)));
        lag.delivered("eastus", "m-1", T0);

        Timer westus = meters.get("xregion.servicebus.replication.lag").tag("namespace", "westus").timer();
        assertEquals(1, westus.count());
        assertEquals(250.0, westus.totalTime(TimeUnit.MILLISECONDS));
        assertEquals(0, meters.find("xregion.servicebus.replication.lag").tag("namespace", "eastus").timers().size());
    }

    @Test
    void aRedeliveryOrAThirdSightingIsNotASecondCopy() {
        lag.delivered("eastus", "m-2", T0);
        lag.delivered("eastus", "m-2", T0.plusSeconds(5));
        assertEquals(0, meters.find("xregion.servicebus.replication.lag").timers().size(), "a redelivery");

        lag.delivered("westus", "m-2", T0.plusSeconds(1));
        lag.delivered("westus", "m-2", T0.plusSeconds(1));
        lag.delivered("eastus", "m-2", T0);
        assertEquals(1, meters.get("xregion.servicebus.replication.lag").timer().count(), "timed once");
    }

    @Test
    void aMessageWithoutIdOrTimeIsIgnored() {
        lag.delivered("eastus", null, T0);
        lag.delivered("eastus", "m-3", null);
        lag.delivered("westus", "m-3", T0);
        assertEquals(0, meters.find("xregion.servicebus.replication.lag").timers().size());
    }
}
