package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;

import org.junit.jupiter.api.Test;
import io.xregion.health.HealthState;

/** The thresholds keep one lost probe from flapping an instance, in both directions. */
class InstanceHealthTest {

    private final InstanceHealth health = new InstanceHealth("eastus", 3, 2, Clock.systemUTC());

    @Test
    void theFirstResultDecidesAtOnce() {
        assertEquals(HealthState.UNKNOWN, health.state());
        HealthChange change = health.success();
        assertEquals(new HealthChange("eastus", HealthState.UNKNOWN, HealthState.UP), change);
        assertFalse(change.recovered(), "starting up is not a recovery");

        InstanceHealth other = new InstanceHealth("westus", 3, 2, Clock.systemUTC());
        assertEquals(HealthState.DOWN, other.failure("refused").to());
    }

    @Test
    void itTakesNFailuresInARowToGoDownAndMSuccessesToComeBack() {
        health.success();
        assertNull(health.failure("timeout"));
        assertTrue(health.unsettled());
        assertNull(health.failure("timeout"));
        assertNull(health.success(), "a success in between resets the count");
        assertFalse(health.unsettled());
        assertNull(health.failure("a"));
        assertNull(health.failure("b"));
        HealthChange down = health.failure("c");
        assertEquals(HealthState.DOWN, down.to());
        assertEquals("c", health.snapshot().lastError());
        assertFalse(health.healthy());

        assertNull(health.success());
        assertTrue(health.unsettled());
        assertNull(health.failure("d"), "a failure while recovering resets the count");
        assertNull(health.success());
        HealthChange up = health.success();
        assertEquals(HealthState.UP, up.to());
        assertTrue(up.recovered());
        assertTrue(health.healthy());
    }
}
