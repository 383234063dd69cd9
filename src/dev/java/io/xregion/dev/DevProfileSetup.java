package io.xregion.dev;

import java.security.SecureRandom;
import java.util.Base64;
import java.time.Duration;
import java.util.List;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.config.ProfileSetup;
import io.xregion.config.Settings;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.emulator.webpubsub.EmulatorOptions;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.servicebus.ServiceBusSettings;
import io.xregion.webpubsub.WebPubSubInstances;

/**
 * The dev profile: one local Web PubSub emulator per configured instance, each with its own random key, on
 * loopback; the app is pointed at them by overriding the instances' connection strings. The dev-only routes (the
 * control API for failover drills) come with application-dev.properties.
 */
public final class DevProfileSetup implements ProfileSetup {

    private static final Logger LOG = LoggerFactory.getLogger(DevProfileSetup.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public void prepare(CamelContext context, Settings settings) throws Exception {
        if (!settings.devProfile()) {
            return;
        }
        refuseProductionSettings(System.getenv());
        String devKey = settings.optional("xregion.dev.access-key").orElse(null);
        if (devKey != null && !devKey.matches("[A-Za-z0-9+/=_-]{32,}")) {
            throw new IllegalStateException("xregion.dev.access-key must be at least 32 characters of A-Z, a-z, 0-9, "
                    + "+, /, =, _ or -");
        }
        DevEmulators emulators = new DevEmulators();
        context.addService(emulators, true, true);
        String host = settings.required("xregion.dev.webpubsub.host");
        long basePort = settings.number("xregion.dev.webpubsub.base-port", 0, 65535);
        String eventHandler = settings.optional("xregion.dev.webpubsub.event-handler-url").orElse(null);
        List<String> names = settings.list("xregion.webpubsub.instances");
        for (int i = 0; i < names.size(); i++) {
            EmulatorOptions options = EmulatorOptions.of(names.get(i), keyOr(devKey)).withHost(host)
                    .withPort(basePort == 0 ? 0 : (int) basePort + i).withEventHandler(eventHandler);
            WebPubSubEmulator emulator = WebPubSubEmulator.start(options);
            emulators.add(emulator);
            context.getPropertiesComponent().addOverrideProperty(
                    WebPubSubInstances.connectionStringKey(names.get(i)), emulator.connectionString());
        }
        startServiceBus(context, settings, emulators, devKey);
        context.getRegistry().bind("devEmulators", emulators);
        context.getRegistry().bind("devControl", new DevControl(context, emulators));
        LOG.info("Dev profile: local Web PubSub emulators {}",
                emulators.webPubSub().values().stream().map(e -> e.name() + "=" + e.endpoint()).toList());
    }

    /** One Service Bus namespace per configured one, holding the configured queue or topic and subscription. */
    private static void startServiceBus(CamelContext context, Settings settings, DevEmulators emulators,
            String devKey) {
        String host = settings.required("xregion.dev.servicebus.host");
        String entity = settings.required("xregion.servicebus.entity");
        boolean topic = settings.required("xregion.servicebus.entity-type").equals("topic");
        List<String> subscriptions = new java.util.ArrayList<>();
        settings.optional("xregion.servicebus.subscription").ifPresent(subscriptions::add);
        subscriptions.addAll(settings.list("xregion.dev.servicebus.extra-subscriptions"));
        Duration lock = Duration.ofMillis(settings.number("xregion.dev.servicebus.lock-duration-ms", 100, 600_000));
        int maxDeliveries = (int) settings.number("xregion.dev.servicebus.max-delivery-count", 1, 2000);
        for (String name : List.of(settings.required("xregion.servicebus.primary"),
                settings.required("xregion.servicebus.secondary"))) {
            ServiceBusEmulatorOptions options = ServiceBusEmulatorOptions.of(name, keyOr(devKey)).withHost(host)
                    .withLockDuration(lock).withMaxDeliveryCount(maxDeliveries);
            options = topic ? options.withTopic(entity, subscriptions.toArray(String[]::new))
                    : options.withQueues(entity);
            ServiceBusEmulator emulator = ServiceBusEmulator.start(options);
            emulators.add(emulator);
            context.getPropertiesComponent().addOverrideProperty(ServiceBusSettings.connectionStringKey(name),
                    emulator.connectionString());
        }
        LOG.info("Dev profile: local Service Bus emulators {}", emulators.serviceBus().values().stream()
                .map(e -> e.name() + "=sb://" + host + ":" + e.port()).toList());
    }

    /**
     * The dev profile replaces every connection string with a local emulator's. A production install that forgot
     * CAMEL_MAIN_PROFILE=prod would then run on emulators, so real connection strings in the environment stop it.
     */
    static void refuseProductionSettings(java.util.Map<String, String> environment) {
        List<String> real = environment.keySet().stream()
                .filter(name -> name.matches("XREGION_(WEBPUBSUB|SERVICEBUS)_.+_CONNECTION_STRING")).sorted().toList();
        if (!real.isEmpty()) {
            throw new IllegalStateException("The dev profile runs on local emulators, but the environment sets " + real
                    + ": set CAMEL_MAIN_PROFILE=prod to use them, or unset them for a local run");
        }
    }

    /** Each emulator gets its own random key, unless the developer chose one (to point their own tools at it). */
    private static String keyOr(String devKey) {
        return devKey != null ? devKey : randomKey();
    }

    private static String randomKey() {
        byte[] bytes = new byte[33];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
