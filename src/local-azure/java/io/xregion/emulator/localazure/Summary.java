package io.xregion.emulator.localazure;

import java.net.URI;
import java.util.Map;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;

/** What a started local Azure prints: where everything listens, the connection strings, and how to use them. */
public final class Summary {

    private final Emulators emulators;
    private final URI controlUrl;
    private final ConnectionFiles files;
    private final Map<String, String> connectionStrings;

    public Summary(Emulators emulators, URI controlUrl, ConnectionFiles files, Map<String, String> connectionStrings) {
        this.emulators = emulators;
        this.controlUrl = controlUrl;
        this.files = files;
        this.connectionStrings = connectionStrings;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("\nLocal Azure is up\n");
        for (WebPubSubEmulator emulator : emulators.webPubSub().values()) {
            out.append(String.format("  Web PubSub   %-12s %s%n", emulator.name(), emulator.endpoint()));
        }
        for (ServiceBusEmulator emulator : emulators.serviceBus().values()) {
            String entities = String.join(", ", emulator.entityCounts().keySet());
            out.append(String.format("  Service Bus  %-12s %s  %s%n", emulator.name(), emulator.endpoint(),
                    entities.isEmpty() ? "(no entities)" : entities));
        }
        out.append(String.format("  Control API               %s  GET /state, POST /webpubsub/{instance}/down|up|"
                + "unhealthy|partition, POST /servicebus/{namespace}/down|up|partition|reject?condition=...|accept%n", controlUrl));
        out.append("\nConnection strings (keys included; they change with every start unless the settings fix them):\n");
        connectionStrings.forEach((key, value) -> out.append("  ").append(key).append(" = ").append(value)
                .append('\n'));
        out.append("\nThe same, one file per key: ").append(files.secretsDirectory()).append('\n')
                .append("  for an app server in the production profile: CAMEL_MAIN_PROFILE=prod XREGION_SECRETS_DIRECTORY=")
                .append(files.secretsDirectory()).append('\n')
                .append("As environment variables: source ").append(files.envFile()).append('\n')
                .append("Control API URL: ").append(files.controlUrlFile()).append('\n')
                .append("Ctrl-C stops every instance and namespace and removes these files.\n");
        return out.toString();
    }
}
