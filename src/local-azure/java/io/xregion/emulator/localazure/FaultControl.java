package io.xregion.emulator.localazure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.webpubsub.WebPubSubEmulator;

/**
 * The fault switches of a set of local emulators and what they are doing now. Both control APIs (the standalone
 * local Azure's and the app's dev profile's {@code /dev}) go through here, so a switch means the same in both and
 * their state pages show the emulators the same way.
 */
public final class FaultControl {

    /** An AMQP error condition: com.microsoft:server-busy, amqp:unauthorized-access, amqp:link:detach-forced. */
    private static final Pattern CONDITION = Pattern.compile("[a-z]+(\\.[a-z]+)*(:[a-z]+(-[a-z]+)*)+");
    private static final int MAX_DESCRIPTION = 256;
    private static final String DEFAULT_DESCRIPTION = "rejected by the local Azure's fault switch";

    private final Emulators emulators;

    public FaultControl(Emulators emulators) {
        this.emulators = emulators;
    }

    /**
     * down, unhealthy, partition or up (which also heals a partition) for one Web PubSub instance; answers
     * {instance: its state}.
     */
    public Map<String, Object> switchWebPubSub(String instance, String action) {
        WebPubSubEmulator emulator = webPubSub(instance);
        String what = "Web PubSub instance '" + instance + "'";
        switch (action == null ? "" : action) {
            case "down" -> emulator.down();
            case "unhealthy" -> {
                // the emulator refuses too, but only a message would tell the caller why
                if (emulator.health() == WebPubSubEmulator.Health.DOWN) {
                    throw ControlRefusal.conflict(what + " is down; bring it up before making it unhealthy");
                }
                if (emulator.health() == WebPubSubEmulator.Health.PARTITIONED) {
                    throw ControlRefusal.conflict(what + " is partitioned and answers no health check; heal it "
                            + "with up before making it unhealthy");
                }
                emulator.unhealthy();
            }
            case "partition" -> {
                if (emulator.health() == WebPubSubEmulator.Health.DOWN) {
                    throw ControlRefusal.conflict(what + " is down; bring it up before partitioning it");
                }
                emulator.partition();
            }
            case "up" -> listenAgain(emulator::up, what);
            default -> throw ControlRefusal.notFound("No action '" + action + "' for a Web PubSub instance; use "
                    + "down, unhealthy, partition or up");
        }
        return Map.of(instance, webPubSubState(emulator));
    }

    /**
     * down, partition, up (which also heals a partition and accepts sends again), reject (every send refused with an
     * AMQP error condition) or accept for one Service Bus namespace; answers {namespace: its state}.
     */
    public Map<String, Object> switchServiceBus(String namespace, String action, String condition,
            String description) {
        ServiceBusEmulator emulator = serviceBus(namespace);
        switch (action == null ? "" : action) {
            case "down" -> emulator.down();
            case "partition" -> {
                if (emulator.state() == ServiceBusEmulator.State.DOWN) {
                    throw ControlRefusal.conflict("Service Bus namespace '" + namespace + "' is down; bring it up "
                            + "before partitioning it");
                }
                emulator.partition();
            }
            case "up" -> {
                emulator.acceptSends();
                listenAgain(emulator::up, "Service Bus namespace '" + namespace + "'");
            }
            case "reject" -> emulator.rejectSends(condition(condition), description(description));
            case "accept" -> emulator.acceptSends();
            default -> throw ControlRefusal.notFound("No action '" + action + "' for a Service Bus namespace; use "
                    + "down, partition, up, reject or accept");
        }
        return Map.of(namespace, serviceBusState(emulator));
    }

    /** Every instance and namespace: {"webpubsub": {name: state}, "servicebus": {name: state}}. */
    public Map<String, Object> state() {
        Map<String, Object> webPubSub = new LinkedHashMap<>();
        emulators.webPubSub().forEach((name, emulator) -> webPubSub.put(name, webPubSubState(emulator)));
        Map<String, Object> serviceBus = new LinkedHashMap<>();
        emulators.serviceBus().forEach((name, emulator) -> serviceBus.put(name, serviceBusState(emulator)));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("webpubsub", webPubSub);
        state.put("servicebus", serviceBus);
        return state;
    }

    /**
     * Endpoint, port, UP/UNHEALTHY/PARTITIONED/DOWN, the TCP connections a partition holds silent, client
     * connections (all hubs, and per hub), the connection string.
     */
    public Map<String, Object> webPubSubState(WebPubSubEmulator emulator) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("endpoint", emulator.endpoint().toString());
        state.put("port", emulator.port());
        state.put("state", emulator.health().name());
        if (emulator.health() == WebPubSubEmulator.Health.PARTITIONED) {
            state.put("silencedConnections", emulator.silencedConnections());
        }
        Map<String, Integer> hubs = emulator.connectionCounts();
        state.put("connections", hubs.values().stream().mapToInt(Integer::intValue).sum());
        state.put("hubs", hubs);
        state.put("connectionString", hideKey(emulator.connectionString()));
        return state;
    }

    /**
     * Endpoint, port, UP/PARTITIONED/DOWN, the connections a partition holds silent, the condition sends are
     * rejected with, the connection string, entity depths.
     */
    public Map<String, Object> serviceBusState(ServiceBusEmulator emulator) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("endpoint", emulator.endpoint());
        state.put("port", emulator.port());
        state.put("state", emulator.state().name());
        if (emulator.state() == ServiceBusEmulator.State.PARTITIONED) {
            state.put("silencedConnections", emulator.silencedConnections());
        }
        if (emulator.rejecting() != null) {
            state.put("rejecting", emulator.rejecting());
        }
        state.put("connectionString", hideKey(emulator.connectionString()));
        Map<String, Object> entities = new LinkedHashMap<>();
        emulator.entityCounts().forEach((path, counts) -> {
            Map<String, Object> entity = new LinkedHashMap<>();
            entity.put("depth", counts.depth());
            entity.put("locked", counts.locked());
            entity.put("deadLetters", counts.deadLetters());
            entities.put(path, entity);
        });
        state.put("entities", entities);
        return state;
    }

    /**
     * Keys are never answered, not even generated ones: the state page is for looking at, the connection files the
     * local Azure writes are for connecting.
     */
    public static String hideKey(String connectionString) {
        return connectionString.replaceAll("(?i)((?:Shared)?AccessKey=)[^;]*", "$1***");
    }

    private WebPubSubEmulator webPubSub(String instance) {
        WebPubSubEmulator emulator = instance == null ? null : emulators.webPubSub().get(instance);
        if (emulator == null) {
            throw ControlRefusal.notFound("No Web PubSub instance named '" + instance + "'; there are "
                    + emulators.webPubSub().keySet());
        }
        return emulator;
    }

    private ServiceBusEmulator serviceBus(String namespace) {
        ServiceBusEmulator emulator = namespace == null ? null : emulators.serviceBus().get(namespace);
        if (emulator == null) {
            throw ControlRefusal.notFound("No Service Bus namespace named '" + namespace + "'; there are "
                    + emulators.serviceBus().keySet());
        }
        return emulator;
    }

    /** Listening again fails when something else took the port meanwhile: the caller's request, not a bug. */
    private static void listenAgain(Runnable up, String what) {
        try {
            up.run();
        } catch (IllegalStateException e) {
            throw ControlRefusal.conflict(what + " cannot listen again: " + e.getMessage());
        }
    }

    private static String condition(String condition) {
        if (condition == null || !CONDITION.matcher(condition).matches()) {
            throw ControlRefusal.badRequest("reject needs ?condition=<AMQP error condition>, e.g. "
                    + "com.microsoft:server-busy, com.microsoft:entity-disabled, amqp:unauthorized-access");
        }
        return condition;
    }

    private static String description(String description) {
        if (description == null || description.isBlank()) {
            return DEFAULT_DESCRIPTION;
        }
        if (description.length() > MAX_DESCRIPTION || description.chars().anyMatch(Character::isISOControl)) {
            throw ControlRefusal.badRequest("description must be at most " + MAX_DESCRIPTION
                    + " characters without control characters");
        }
        return description;
    }
}
