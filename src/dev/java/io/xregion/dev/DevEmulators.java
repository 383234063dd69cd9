package io.xregion.dev;

import java.util.Map;

import org.apache.camel.support.service.ServiceSupport;

import io.xregion.emulator.localazure.Emulators;
import io.xregion.emulator.localazure.FaultControl;
import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;

/** The emulators the dev profile started (through the local Azure's builder), closed when Camel stops. */
public final class DevEmulators extends ServiceSupport {

    private final Emulators emulators;
    private final FaultControl control;

    DevEmulators(Emulators emulators) {
        this.emulators = emulators;
        this.control = new FaultControl(emulators);
    }

    public Map<String, WebPubSubEmulator> webPubSub() {
        return emulators.webPubSub();
    }

    public Map<String, ServiceBusEmulator> serviceBus() {
        return emulators.serviceBus();
    }

    /** The local Azure's own fault switches and state over these emulators, which /dev serves. */
    FaultControl control() {
        return control;
    }

    @Override
    protected void doStop() {
        emulators.close();
    }
}
