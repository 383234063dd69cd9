package io.xregion.dev;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.config.ProfileSetup;
import io.xregion.config.Settings;
import io.xregion.emulator.webpubsub.EmulatorOptions;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.webpubsub.WebPubSubInstances;

/**
 * The dev profile: one local Web PubSub emulator per configured instance, each with its own random key, on
 * loopback; the app is pointed at them by overriding the instances' connection strings. It also loads the dev-only
 * routes (the control API for failover drills).
 */
public final class DevProfileSetup implements ProfileSetup {

    private static final Logger LOG = LoggerFactory.getLogger(DevProfileSetup.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public void prepare(CamelContext context, Settings settings) throws Exception {
        if (!settings.devProfile()) {
            return;
        }
        DevEmulators emulators = new DevEmulators();
        context.addService(emulators, true, true);
        String host = settings.required("xregion.dev.webpubsub.host");
        long basePort = settings.number("xregion.dev.webpubsub.base-port", 0, 65535);
        String eventHandler = settings.optional("xregion.dev.webpubsub.event-handler-url").orElse(null);
        List<String> names = settings.list("xregion.webpubsub.instances");
        for (int i = 0; i < names.size(); i++) {
            EmulatorOptions options = EmulatorOptions.of(names.get(i), randomKey()).withHost(host)
                    .withPort(basePort == 0 ? 0 : (int) basePort + i).withEventHandler(eventHandler);
            WebPubSubEmulator emulator = WebPubSubEmulator.start(options);
            emulators.add(emulator);
            context.getPropertiesComponent().addOverrideProperty(
                    WebPubSubInstances.connectionStringKey(names.get(i)), emulator.connectionString());
        }
        context.getRegistry().bind("devEmulators", emulators);
        context.getRegistry().bind("devControl", new DevControl(context, emulators));
        LOG.info("Dev profile: local Web PubSub emulators {}",
                emulators.webPubSub().values().stream().map(e -> e.name() + "=" + e.endpoint()).toList());

        // added once the app's own routes are in, so the dev routes can use their route configurations
        String routes = settings.optional("xregion.dev.routes").orElse(null);
        if (routes != null) {
            context.addStartupListener(new ExtendedStartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
                    // nothing before the app's routes are started
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext camel, boolean alreadyStarted) throws Exception {
                    var resources = PluginHelper.getPackageScanResourceResolver(camel).findResources(routes);
                    PluginHelper.getRoutesLoader(camel).loadRoutes(resources.toArray(new Resource[0]));
                }
            });
        }
    }

    private static String randomKey() {
        byte[] bytes = new byte[33];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
