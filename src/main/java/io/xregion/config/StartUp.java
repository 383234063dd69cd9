package io.xregion.config;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * xregion's start-up, in order (XRegionApp hands it to camel-main as a main listener):
 * <ol>
 * <li>Camel reads the settings: application.properties (and the profile's) and the environment;</li>
 * <li>{@link #beforeConfigure}: the mounted secrets of {@code xregion.secrets.directory} are read, and the profile is
 * prepared (the dev profile starts the embedded local Azure and sets its connection strings);</li>
 * <li>camel-main binds the configuration classes' beans (every setting is there by then, so a bean may be eager) and
 * calls their {@code configure}: {@code XRegionConfiguration} adds the Service Bus components and the HTTP engine, and
 * reads every settings record, so a bad setting stops the start naming its key;</li>
 * <li>the routes are made, and once Camel has started, XRegionConfiguration's start-up steps run (the router, the JSON
 * fallback of the HTTP server, the gauges).</li>
 * </ol>
 */
public final class StartUp extends MainListenerSupport {

    /** The directory of mounted secrets: one file per setting (docs/configuration.md says why not Camel's own). */
    public static final String SECRETS = "xregion.secrets.directory";

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        // the profile as camel-main has read it (the context learns it later, with the configuration)
        Settings settings = new Settings(context.getPropertiesComponent(), main.configure().getProfile());
        settings.optional(SECRETS)
                .ifPresent(directory -> MountedSecrets.load(context.getPropertiesComponent(), Path.of(directory)));
        try {
            prepareProfile(context, settings);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the " + settings.profile() + " profile could not be prepared", e);
        }
    }

    private static void prepareProfile(CamelContext context, Settings settings) throws Exception {
        List<ProfileSetup> setups = ServiceLoader.load(ProfileSetup.class).stream().map(ServiceLoader.Provider::get)
                .toList();
        if (settings.devProfile() && setups.isEmpty()) {
            throw new IllegalStateException("The dev profile starts an embedded local Azure, which this jar does not "
                    + "hold (the runner jar is production only): run it with camel.main.profile=prod "
                    + "(CAMEL_MAIN_PROFILE=prod), or run the dev profile from the source tree (mvn compile camel:run)");
        }
        for (ProfileSetup setup : setups) {
            setup.prepare(context, settings);
        }
    }
}
