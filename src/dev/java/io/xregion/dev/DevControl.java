package io.xregion.dev;

import java.util.LinkedHashMap;
import java.util.Map;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.vertx.core.net.SocketAddress;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;
import io.xregion.http.ApiErrors;
import io.xregion.http.ApiException;
import io.xregion.servicebus.NamespaceHealth;
import io.xregion.servicebus.Outbox;
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

    /**
     * The switches can take a region down, so only callers on this machine may use them, whatever address the
     * server listens on.
     */
    public void requireLocalCaller(Exchange exchange) {
        Object remote = exchange.getMessage().getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS);
        if (!(remote instanceof SocketAddress address) || !loopback(address.hostAddress())) {
            throw new ApiException(403, "Forbidden", "The dev control API answers callers on this machine only");
        }
    }

    private static boolean loopback(String ip) {
        if (ip == null || !ip.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
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

    /** down, up or reject (with an AMQP error condition) for one emulated Service Bus namespace. */
    public String switchServiceBus(String namespace, String action, Object condition) {
        ServiceBusEmulator emulator = emulators.serviceBus().get(namespace);
        if (emulator == null) {
            throw ApiException.notFound("No emulated Service Bus namespace named '" + namespace + "'; there are "
                    + emulators.serviceBus().keySet());
        }
        switch (action) {
            case "down" -> emulator.down();
            case "up" -> {
                emulator.acceptSends();
                emulator.up();
            }
            case "reject" -> {
                if (!(condition instanceof String c) || !c.matches("[a-z]+:[a-z:-]+")) {
                    throw ApiException.badRequest("reject needs ?condition=<AMQP error condition>, e.g. "
                            + "com.microsoft:server-busy, com.microsoft:entity-disabled, amqp:unauthorized-access");
                }
                emulator.rejectSends(c, "rejected by the dev control API");
            }
            default -> throw ApiException.notFound("No action '" + action + "'; use down, up or reject");
        }
        return ApiErrors.json(Map.of(namespace, serviceBusState(emulator)));
    }

    /**
     * Every emulated instance and namespace: ports, their own state, health as the app sees it, and for Service
     * Bus the connection string (its key hidden) and each entity's depth and dead-letter depth.
     */
    public String state() {
        Map<String, Object> webPubSub = new LinkedHashMap<>();
        emulators.webPubSub().forEach((name, emulator) -> webPubSub.put(name, webPubSubState(emulator)));
        Map<String, Object> serviceBus = new LinkedHashMap<>();
        emulators.serviceBus().forEach((name, emulator) -> serviceBus.put(name, serviceBusState(emulator)));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("profile", "dev");
        state.put("webpubsub", webPubSub);
        state.put("servicebus", serviceBus);
        Outbox outbox = context.getRegistry().lookupByNameAndType("outbox", Outbox.class);
        if (outbox != null) {
            state.put("outbox", Map.of("depth", outbox.depth(), "oldestAgeSeconds", outbox.oldestAgeSeconds()));
        }
        return ApiErrors.json(state);
    }

    private Map<String, Object> serviceBusState(ServiceBusEmulator emulator) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("connectionString", hideKey(emulator.connectionString()));
        state.put("port", emulator.port());
        state.put("emulator", emulator.state().name());
        if (emulator.rejecting() != null) {
            state.put("rejecting", emulator.rejecting());
        }
        NamespaceHealth health = context.getRegistry().lookupByNameAndType("namespaceHealth", NamespaceHealth.class);
        if (health != null) {
            for (NamespaceHealth.Status status : health.statuses()) {
                if (status.namespace().equals(emulator.name())) {
                    state.put("app", status.reachable() ? "reachable" : "unreachable");
                }
            }
        }
        Map<String, Object> entities = new LinkedHashMap<>();
        emulator.entityCounts().forEach((path, counts) -> entities.put(path, Map.of("depth", counts.depth(),
                "locked", counts.locked(), "deadLetters", counts.deadLetters())));
        state.put("entities", entities);
        return state;
    }

    /** Keys are never answered, not even the local ones: xregion.dev.access-key chooses a key to use elsewhere. */
    static String hideKey(String connectionString) {
        return connectionString.replaceAll("(?i)((?:Shared)?AccessKey=)[^;]*", "$1***");
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
