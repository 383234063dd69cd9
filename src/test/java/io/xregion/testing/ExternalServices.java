package io.xregion.testing;

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

    /** The settings a production deployment would take from its environment: TestSettings#production. */
    public Map<String, String> productionSettings() {
        return TestSettings.production(this).build();
    }

    @Override
    public void close() {
        eastWebPubSub.close();
        westWebPubSub.close();
        eastServiceBus.close();
        westServiceBus.close();
    }
}
