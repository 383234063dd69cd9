package io.xregion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xregion.testing.RunningApp;
import io.xregiontest.EagerSecretReader;

/**
 * Start-up order is StartUp's, not the laziness of beans: the settings, the mounted secrets and the profile's
 * connection strings are there before camel-main binds any configuration class's bean, so an eager bean that reads a
 * secret starts.
 */
@Tag("slow")
class StartUpOrderTest {

    @Test
    void anEagerBeanReadingASecretSeesIt() {
        // the dev profile: the connection strings are the embedded local Azure's, set by the profile's setup
        try (RunningApp app = RunningApp.start(Map.of("camel.main.configuration-classes",
                EagerSecretReader.class.getName()))) {
            EagerSecretReader.Seen seen = app.bean("eagerSecretReader", EagerSecretReader.Seen.class);
            assertTrue(seen.connectionString(), "the eager bean was made before the profile set the connection strings");
        }
    }

    @Test
    void aSecretsDirectoryThatIsNotOneStopsTheStart(@TempDir Path work) {
        String missing = work.resolve("not-mounted").toString();
        Exception failure = assertThrows(Exception.class, () -> RunningApp.start(Map.of(
                "camel.main.profile", "prod", StartUp.SECRETS, missing)).close());
        assertEquals(StartUp.SECRETS + " " + missing + " is not a directory", root(failure).getMessage());
    }

    /**
     * Why xregion reads its mounted secrets itself rather than through Camel's cloud properties
     * (docs/configuration.md): camel-main 4.17.0 looks up {@code camel.main.cloud-properties-location} before the
     * context has a type converter, so a location given as an override property (Main.addOverrideProperty, as
     * RunningApp and any embedding code do) fails with a NullPointerException. When this test fails, that is fixed.
     */
    @Test
    void camelsCloudPropertiesCannotBeGivenAsAnOverrideProperty(@TempDir Path secrets) {
        Main main = new Main();
        main.addOverrideProperty("camel.main.cloud-properties-location", secrets.toString());
        try {
            Exception failure = assertThrows(Exception.class, main::start);
            assertTrue(root(failure) instanceof NullPointerException, root(failure).toString());
        } finally {
            main.stop();
        }
    }

    private static Throwable root(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }
}
