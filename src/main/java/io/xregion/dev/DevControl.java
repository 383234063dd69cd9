package io.xregion.dev;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;

import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.http.ApiErrors;
import io.xregion.http.ApiException;
import io.xregion.webpubsub.InstanceHealth;
import io.xregion.webpubsub.WebPubSubHealth;

/** The dev control API behind routes/dev: fault switches for the local emulators, and the state of the drill. */
public final class DevControl {

    private final CamelContext context;
    private final DevEmulators emulators;

    DevControl(CamelContext context, DevEmulators emulators) {
        this.context = context;
        this.emulators = emulators;
    }

    /** down, unhealthy or up for one emulated Web PubSub instance; answers that instance's state. */
    public String switchWebPubSub(String instance, String action) {
        WebPubSubEmulator emulator = emulators.webPubSub().get(instance);
        if (emulator == null) {
            throw ApiException.notFound("No emulated Web PubSub instance named '" + instance + "'; there are "
                    + emulators.webPubSub().keySet());
        }
        switch (action) {
            case "down" -> emulator.down();
            case "unhealthy" -> emulator.unhealthy();
            case "up" -> emulator.up();
            default -> throw ApiException.notFound("No action '" + action + "'; use down, unhealthy or up");
        }
        return ApiErrors.json(Map.of(instance, webPubSubState(emulator)));
    }

    /** Every emulated instance: its port, its own state, and its health as the app sees it. */
    public String state() {
        Map<String, Object> webPubSub = new LinkedHashMap<>();
        emulators.webPubSub().forEach((name, emulator) -> webPubSub.put(name, webPubSubState(emulator)));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("profile", "dev");
        state.put("webpubsub", webPubSub);
        return ApiErrors.json(state);
    }

    private Map<String, Object> webPubSubState(WebPubSubEmulator emulator) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("endpoint", emulator.endpoint().toString());
        state.put("port", emulator.port());
        state.put("emulator", emulator.health().name());
        WebPubSubHealth health = context.getRegistry().lookupByNameAndType("webPubSubHealth", WebPubSubHealth.class);
        if (health != null) {
            for (InstanceHealth.Snapshot snapshot : health.snapshots()) {
                if (snapshot.instance().equals(emulator.name())) {
                    Map<String, Object> app = new LinkedHashMap<>();
                    app.put("state", snapshot.state().name());
                    app.put("since", snapshot.since().toString());
                    if (snapshot.lastError() != null) {
                        app.put("lastError", snapshot.lastError());
                    }
                    state.put("app", app);
                }
            }
        }
        if (emulator.health() != WebPubSubEmulator.Health.DOWN) {
            state.put("connections", emulator.connectionCount(hub()));
        }
        return state;
    }

    private String hub() {
        return context.getPropertiesComponent().resolveProperty("xregion.webpubsub.hub").orElse("chat");
    }
}
