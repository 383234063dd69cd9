package io.xregion.testing;

import java.util.LinkedHashMap;
import java.util.Map;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.emulator.webpubsub.EmulatorOptions;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;

/**
 * What the production profile connects to, started by the test instead of the app: two Web PubSub instances
 * (eastus on 127.0.0.1, westus on 127.0.0.2) and two Service Bus namespaces holding a topic {@code events} with the
 * app's subscription {@code xregion} and an {@code audit} subscription only the test reads.
 */
public final class ExternalServices implements AutoCloseable {

    public final WebPubSubEmulator eastWebPubSub;
    public final WebPubSubEmulator westWebPubSub;
    public final ServiceBusEmulator eastServiceBus;
    public final ServiceBusEmulator westServiceBus;

    public ExternalServices() {
        eastWebPubSub = WebPubSubEmulator.start(EmulatorOptions.of("east-service", Keys.random()));
        westWebPubSub = WebPubSubEmulator.start(EmulatorOptions.of("west-service", Keys.random()).withHost("127.0.0.2"));
        eastServiceBus = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("east-namespace", Keys.random())
                .withTopic("events", "xregion", "audit"));
        westServiceBus = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("west-namespace", Keys.random())
                .withHost("127.0.0.2").withTopic("events", "xregion", "audit"));
    }

    /** The settings a production deployment would take from its environment. */
    public Map<String, String> productionSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(RunningApp.PROFILE, "prod");
        settings.put("xregion.webpubsub.eastus.connection-string", eastWebPubSub.connectionString());
        settings.put("xregion.webpubsub.westus.connection-string", westWebPubSub.connectionString());
        settings.put("xregion.servicebus.eastus.connection-string", eastServiceBus.connectionString());
        settings.put("xregion.servicebus.westus.connection-string", westServiceBus.connectionString());
        settings.put("xregion.servicebus.entity", "events");
        settings.put("xregion.servicebus.entity-type", "topic");
        settings.put("xregion.servicebus.subscription", "xregion");
        // most tests negotiate for users they name, many times a second
        settings.put("xregion.webpubsub.negotiate.allow-anonymous", "true");
        settings.put("xregion.webpubsub.negotiate.rate-limit.per-address", "0");
        settings.put("xregion.webpubsub.negotiate.rate-limit.per-user", "0");
        return settings;
    }

    @Override
    public void close() {
        eastWebPubSub.close();
        westWebPubSub.close();
        eastServiceBus.close();
        westServiceBus.close();
    }
}
