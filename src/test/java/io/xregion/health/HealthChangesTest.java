package io.xregion.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.xregion.servicebus.NamespaceHealth;
import io.xregion.webpubsub.HealthChange;

/** The status page's recent changes: newest first, bounded, both kinds of change alike. */
class HealthChangesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void keepsTheNewestChangesUpToTheLimitNewestFirst() {
        HealthChanges changes = new HealthChanges(3, CLOCK);
        changes.record(new HealthChange("eastus", HealthState.UNKNOWN, HealthState.UP));
        changes.record(new HealthChange("eastus", HealthState.UP, HealthState.DOWN, "ConnectException: refused"));
        changes.record(new NamespaceHealth.Change("westus", false, "AmqpException: no answer"));
        changes.record(new NamespaceHealth.Change("westus", true, null));
        changes.record(null);

        List<HealthChanges.Entry> recent = changes.recent();
        assertEquals(List.of("servicebus westus DOWN->UP", "servicebus westus UP->DOWN", "webpubsub eastus UP->DOWN"),
                recent.stream().map(e -> e.kind() + " " + e.name() + " " + e.from() + "->" + e.to()).toList());
        assertEquals("AmqpException: no answer", recent.get(1).reason());
        assertEquals("ConnectException: refused", recent.get(2).reason());
        assertNull(recent.get(0).reason());
        assertEquals(CLOCK.instant(), recent.get(0).at());
    }

    @Test
    void anEmptyListIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HealthChanges(0, CLOCK));
    }
}
