package io.xregion.emulator.localazure;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.emulator.webpubsub.EmulatorOptions;

/**
 * A checked local Azure configuration (see {@link LocalAzureSettings} for the keys).
 *
 * @param webPubSub       the Web PubSub instances, in declared order
 * @param serviceBus      the Service Bus namespaces, in declared order
 * @param controlHost     where the control API listens
 * @param controlPort     its port, 0 for a free one
 * @param outputDirectory where the connection files go
 * @param tls             the instances and namespaces to serve TLS ({@code webpubsub.<name>}, {@code
 *                        servicebus.<name>}): one certificate, made at start, serves them all
 */
public record LocalAzureConfig(List<EmulatorOptions> webPubSub, List<ServiceBusEmulatorOptions> serviceBus,
        String controlHost, int controlPort, Path outputDirectory, Set<String> tls) {

    public LocalAzureConfig {
        webPubSub = List.copyOf(webPubSub);
        serviceBus = List.copyOf(serviceBus);
        tls = Set.copyOf(tls);
    }

}
