package io.xregion.emulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.xregion.emulator.localazure.CommandLine;

/** The local Azure's tests start it from the shipped local-azure.properties, as its command line would. */
final class ShippedLocalAzure {

    private ShippedLocalAzure() {
    }

    /** The shipped file, on free ports, without event handlers (no app server answers here), writing to output. */
    static Map<String, String> settings(Path output, String... overrides) {
        List<String> args = new ArrayList<>(List.of("local-azure.properties", "webpubsub.eastus.port=0",
                "webpubsub.westus.port=0", "servicebus.eastus.port=0", "servicebus.westus.port=0", "control.port=0",
                "webpubsub.eastus.event-handler-url=", "webpubsub.westus.event-handler-url=",
                "output.directory=" + output));
        args.addAll(List.of(overrides));
        return CommandLine.settings(args.toArray(String[]::new), Path.of(""));
    }
}
