package io.xregion.dev;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.support.service.ServiceSupport;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;

/** The emulators the dev profile started, closed when Camel stops. */
public final class DevEmulators extends ServiceSupport {

    private final Map<String, WebPubSubEmulator> webPubSub = new LinkedHashMap<>();
    private final Map<String, ServiceBusEmulator> serviceBus = new LinkedHashMap<>();

    void add(WebPubSubEmulator emulator) {
        webPubSub.put(emulator.name(), emulator);
    }

    void add(ServiceBusEmulator emulator) {
        serviceBus.put(emulator.name(), emulator);
    }

    public Map<String, WebPubSubEmulator> webPubSub() {
        return webPubSub;
    }

    public Map<String, ServiceBusEmulator> serviceBus() {
        return serviceBus;
    }

    @Override
    protected void doStop() {
        webPubSub.values().forEach(WebPubSubEmulator::close);
        serviceBus.values().forEach(ServiceBusEmulator::close);
    }
}
