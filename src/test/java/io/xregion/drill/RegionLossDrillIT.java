package io.xregion.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.xregion.testing.NodeSdks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The region-loss drill, short and bounded ({@code mvn verify}, after package: the packaged runner and local-azure
 * jars, each part its own process): 5 official JS clients per region, 20 msg/s per publisher, eastus lost for 15 s
 * and restored. Whatever the store, eastus's loss is detected, every orphaned client receives again, the survivor
 * keeps delivering and no accepted message is missed by a client connected for it; with the Redis store (once it is
 * built: application.properties names xregion.servicebus.dedup.store) none is delivered twice either.
 */
class RegionLossDrillIT {

    @BeforeAll
    static void installTheSdk() {
        NodeSdks.install();
    }

    @Test
    void eastusLostAndRestoredLosesNothingAccepted() throws Exception {
        String store = redisStoreBuilt() ? "redis" : "memory";
        List<String> arguments = new ArrayList<>(List.of("clients=5", "rate=20", "protocol=json", "store=" + store,
                "warmup-s=8", "outage-s=15", "settle-s=25", "drain-s=8", "lock-ms=5000", "output=target/drill-it"));
        if (store.equals("redis")) {
            // the killed app server's claims lapse within the run (shipped: a 30 s lease, waited for up to 40 s)
            arguments.add("app.xregion.servicebus.dedup.redis.claim-lease-ms=5000");
            arguments.add("app.xregion.servicebus.dedup.redis.claim-wait-ms=8000");
        }
        Path runnerJar = Path.of(System.getProperty("xregion.runnerJar", "target/xregion-0.1.0-SNAPSHOT-runner.jar"));
        assertTrue(Files.isRegularFile(runnerJar), "run mvn verify (it packages " + runnerJar + " first)");
        Files.createDirectories(Path.of("target/drill-it"));

        DrillReport report = new RegionLossDrill(DrillOptions.parse(arguments), DrillParts.Launcher.jars(runnerJar))
                .run();
        System.out.println(report.table());
        String context = "\n" + report.table() + "\nreport: " + report.file();

        assertNotNull(report.figure("detection", "detectedMs"), "the survivor never marked eastus DOWN" + context);
        assertEquals(5, report.figure("orphans", "orphanedClients"), context);
        assertEquals(5, report.figure("orphans", "recovered"), "orphaned clients that never received again"
                + context);
        assertEquals(5, report.figure("survivors", "clients"), "westus clients that stopped receiving" + context);
        assertTrue(((Number) report.figure("messages", "accepted")).intValue() > 0, context);
        assertTrue(((Number) report.figure("delivery", "expectedDeliveries")).longValue() > 0, context);
        assertEquals(0L, report.figure("delivery", "missingTotal"), "accepted messages a connected client missed"
                + context);
        assertEquals(0L, report.figure("delivery", "acceptedReceivedByNoClient"), context);
        assertNotNull(report.figure("stranded", "drainedMs"), "stranded copies never drained" + context);
        if (store.equals("redis")) {
            assertEquals(Boolean.TRUE, report.figure("store", "redisInUse"), context);
            assertEquals(0L, report.figure("delivery", "duplicatesTotal"), "duplicates with the Redis store"
                    + context);
        }
    }

    /** The Redis store is configurable once application.properties has its property (it is being built). */
    private static boolean redisStoreBuilt() throws IOException {
        return Files.readString(Path.of("application.properties")).contains("xregion.servicebus.dedup.store");
    }
}
