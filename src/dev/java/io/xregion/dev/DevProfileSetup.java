package io.xregion.dev;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.config.ProfileSetup;
import io.xregion.config.Settings;
import io.xregion.emulator.localazure.AccessKeys;
import io.xregion.emulator.localazure.Emulators;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.emulator.webpubsub.EmulatorOptions;
import io.xregion.servicebus.ServiceBusSettings;
import io.xregion.webpubsub.WebPubSubInstances;

/**
 * The dev profile: an embedded local Azure, started through the same builder as the standalone one: one Web PubSub
 * emulator per configured instance and one Service Bus emulator per namespace, each with its own random key, on
 * loopback; the app is pointed at them by overriding the connection strings. The dev-only routes (the control API
 * for failover drills) come with application-dev.properties.
 */
public final class DevProfileSetup implements ProfileSetup {

    private static final Logger LOG = LoggerFactory.getLogger(DevProfileSetup.class);

    @Override
    public void prepare(CamelContext context, Settings settings) throws Exception {
        if (!settings.devProfile()) {
            return;
        }
        refuseProductionSettings(System.getenv());
        String devKey = settings.optional("xregion.dev.access-key").orElse(null);
        if (devKey != null && !AccessKeys.wellFormed(devKey)) {
            throw new IllegalStateException("xregion.dev.access-key must be " + AccessKeys.SHAPE_DESCRIPTION);
        }
        Emulators.Builder builder = Emulators.builder();
        addWebPubSub(builder, settings, devKey);
        addServiceBus(builder, settings, devKey);
        DevEmulators emulators = new DevEmulators(builder.start());
        context.addService(emulators, true, true);
        PropertiesComponent properties = context.getPropertiesComponent();
        emulators.webPubSub().forEach((name, emulator) -> properties.addOverrideProperty(
                WebPubSubInstances.connectionStringKey(name), emulator.connectionString()));
        emulators.serviceBus().forEach((name, emulator) -> properties.addOverrideProperty(
                ServiceBusSettings.connectionStringKey(name), emulator.connectionString()));
        context.getRegistry().bind("devEmulators", emulators);
        context.getRegistry().bind("devControl", new DevControl(context, emulators));
        LOG.info("Dev profile: local Web PubSub emulators {}",
                emulators.webPubSub().values().stream().map(e -> e.name() + "=" + e.endpoint()).toList());
        LOG.info("Dev profile: local Service Bus emulators {}",
                emulators.serviceBus().values().stream().map(e -> e.name() + "=" + e.endpoint()).toList());
    }

    /** One Web PubSub instance per configured one, on base-port + i (or free ports). */
    private static void addWebPubSub(Emulators.Builder builder, Settings settings, String devKey) {
        String host = settings.required("xregion.dev.webpubsub.host");
        long basePort = settings.number("xregion.dev.webpubsub.base-port", 0, 65535);
        String eventHandler = settings.optional("xregion.dev.webpubsub.event-handler-url").orElse(null);
        List<String> names = settings.list("xregion.webpubsub.instances");
        for (int i = 0; i < names.size(); i++) {
            builder.webPubSub(EmulatorOptions.of(names.get(i), keyOr(devKey)).withHost(host)
                    .withPort(basePort == 0 ? 0 : (int) basePort + i).withEventHandler(eventHandler));
        }
    }

    /** One Service Bus namespace per configured one, holding the configured queue or topic and subscription. */
    private static void addServiceBus(Emulators.Builder builder, Settings settings, String devKey) {
        String host = settings.required("xregion.dev.servicebus.host");
        String entity = settings.required("xregion.servicebus.entity");
        boolean topic = settings.required("xregion.servicebus.entity-type").equals("topic");
        List<String> subscriptions = new ArrayList<>();
        settings.optional("xregion.servicebus.subscription").ifPresent(subscriptions::add);
        subscriptions.addAll(settings.list("xregion.dev.servicebus.extra-subscriptions"));
        Duration lock = Duration.ofMillis(settings.number("xregion.dev.servicebus.lock-duration-ms", 100, 600_000));
        int maxDeliveries = (int) settings.number("xregion.dev.servicebus.max-delivery-count", 1, 2000);
        for (String name : List.of(settings.required("xregion.servicebus.primary"),
                settings.required("xregion.servicebus.secondary"))) {
            ServiceBusEmulatorOptions options = ServiceBusEmulatorOptions.of(name, keyOr(devKey)).withHost(host)
                    .withLockDuration(lock).withMaxDeliveryCount(maxDeliveries);
            builder.serviceBus(topic ? options.withTopic(entity, subscriptions.toArray(String[]::new))
                    : options.withQueues(entity));
        }
    }

    /**
     * The dev profile replaces every connection string with a local emulator's. A production install that forgot
     * CAMEL_MAIN_PROFILE=prod would then run on emulators, so real connection strings in the environment stop it.
     */
    static void refuseProductionSettings(Map<String, String> environment) {
        List<String> real = environment.keySet().stream()
                .filter(name -> name.matches("XREGION_(WEBPUBSUB|SERVICEBUS)_.+_CONNECTION_STRING")).sorted().toList();
        if (!real.isEmpty()) {
            throw new IllegalStateException("The dev profile runs on local emulators, but the environment sets " + real
                    + ": set CAMEL_MAIN_PROFILE=prod to use them, or unset them for a local run");
        }
    }

    /** Each emulator gets its own random key, unless the developer chose one (to point their own tools at it). */
    private static String keyOr(String devKey) {
        return devKey != null ? devKey : AccessKeys.generate();
    }
}
