package io.xregion.emulator.localazure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.emulator.webpubsub.EmulatorOptions;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;

/**
 * A set of started Web PubSub instances and Service Bus namespaces, by name, in the order they were declared. The
 * standalone local Azure and the app's dev profile both start theirs through {@link #builder()}, so either way a
 * failed start closes what had already started, and {@link FaultControl} finds them the same way.
 */
public final class Emulators implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Emulators.class);

    private final Map<String, WebPubSubEmulator> webPubSub;
    private final Map<String, ServiceBusEmulator> serviceBus;

    private Emulators(Map<String, WebPubSubEmulator> webPubSub, Map<String, ServiceBusEmulator> serviceBus) {
        this.webPubSub = Collections.unmodifiableMap(webPubSub);
        this.serviceBus = Collections.unmodifiableMap(serviceBus);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Map<String, WebPubSubEmulator> webPubSub() {
        return webPubSub;
    }

    public Map<String, ServiceBusEmulator> serviceBus() {
        return serviceBus;
    }

    /** Closes every emulator; one that fails to close does not keep the others open. */
    @Override
    public void close() {
        closeAll(webPubSub.values(), serviceBus.values());
    }

    private static void closeAll(Iterable<WebPubSubEmulator> webPubSub, Iterable<ServiceBusEmulator> serviceBus) {
        for (WebPubSubEmulator emulator : webPubSub) {
            closeQuietly(emulator, emulator.name());
        }
        for (ServiceBusEmulator emulator : serviceBus) {
            closeQuietly(emulator, emulator.name());
        }
    }

    private static void closeQuietly(AutoCloseable emulator, String name) {
        try {
            emulator.close();
        } catch (Exception e) {
            LOG.warn("Emulator '{}' did not close cleanly: {}", name, e.getMessage());
        }
    }

    /** What to start. */
    public static final class Builder {

        private final List<EmulatorOptions> webPubSub = new ArrayList<>();
        private final List<ServiceBusEmulatorOptions> serviceBus = new ArrayList<>();

        private Builder() {
        }

        public Builder webPubSub(EmulatorOptions options) {
            if (webPubSub.stream().anyMatch(o -> o.name().equals(options.name()))) {
                throw new IllegalArgumentException("two Web PubSub instances named '" + options.name() + "'");
            }
            webPubSub.add(options);
            return this;
        }

        public Builder serviceBus(ServiceBusEmulatorOptions options) {
            if (serviceBus.stream().anyMatch(o -> o.name().equals(options.name()))) {
                throw new IllegalArgumentException("two Service Bus namespaces named '" + options.name() + "'");
            }
            serviceBus.add(options);
            return this;
        }

        /** Starts them all in order and waits until each listens; on a failure closes those already started. */
        public Emulators start() {
            Map<String, WebPubSubEmulator> startedWebPubSub = new LinkedHashMap<>();
            Map<String, ServiceBusEmulator> startedServiceBus = new LinkedHashMap<>();
            try {
                for (EmulatorOptions options : webPubSub) {
                    startedWebPubSub.put(options.name(), start(options));
                }
                for (ServiceBusEmulatorOptions options : serviceBus) {
                    startedServiceBus.put(options.name(), start(options));
                }
            } catch (ListenFailure e) {
                closeAll(startedWebPubSub.values(), startedServiceBus.values());
                throw e;
            }
            return new Emulators(startedWebPubSub, startedServiceBus);
        }

        // starting does nothing but listen, so whatever stops it is the address: taken, or not this machine's
        private static WebPubSubEmulator start(EmulatorOptions given) {
            // none given: one that stays ours across down and up (QuietPorts says why)
            EmulatorOptions options = given.port() == 0 ? given.withPort(QuietPorts.pick(given.host())) : given;
            try {
                return WebPubSubEmulator.start(options);
            } catch (RuntimeException e) {
                throw new ListenFailure(ListenFailure.Service.WEBPUBSUB, options.name(), options.host(),
                        options.port(), e);
            }
        }

        private static ServiceBusEmulator start(ServiceBusEmulatorOptions given) {
            ServiceBusEmulatorOptions options = given.port() == 0 ? given.withPort(QuietPorts.pick(given.host()))
                    : given;
            try {
                return ServiceBusEmulator.start(options);
            } catch (RuntimeException e) {
                throw new ListenFailure(ListenFailure.Service.SERVICEBUS, options.name(), options.host(),
                        options.port(), e);
            }
        }
    }
}
