package io.xregion.dev;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.vertx.core.net.SocketAddress;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.apache.camel.spi.IdempotentRepository;

import io.xregion.emulator.localazure.ControlRefusal;
import io.xregion.emulator.localazure.FaultControl;
import io.xregion.http.ApiErrors;
import io.xregion.http.ApiException;
import io.xregion.servicebus.NamespaceHealth;
import io.xregion.servicebus.Outbox;
import io.xregion.servicebus.dedup.DuplicateStoreReadiness;
import io.xregion.webpubsub.InstanceHealth;
import io.xregion.webpubsub.WebPubSubHealth;

/**
 * The dev control API behind routes/dev. The switches and the emulators' state are the local Azure's own
 * ({@link FaultControl}, which its standalone control API serves too); this adds what only the app knows: who may
 * call, each instance's and namespace's health as the app sees it, and the outbox.
 */
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

    /** down, unhealthy, partition or up for one emulated Web PubSub instance; answers that instance's state. */
    public String switchWebPubSub(String instance, String action) {
        Map<String, Object> switched = refusalsAsApiErrors(() -> emulators.control().switchWebPubSub(instance,
                action));
        return ApiErrors.json(withAppView(switched, this::addWebPubSubHealth));
    }

    /** down, partition, up, reject (with an AMQP error condition) or accept for one emulated Service Bus namespace. */
    public String switchServiceBus(String namespace, String action, Object condition, Object description) {
        Map<String, Object> switched = refusalsAsApiErrors(() -> emulators.control().switchServiceBus(namespace,
                action, text(condition), text(description)));
        return ApiErrors.json(withAppView(switched, this::addNamespaceHealth));
    }

    /**
     * Every emulated instance and namespace as the local Azure shows them (ports, state, connections, the
     * connection string with its key hidden, entity depths), with health as the app sees it, the outbox and the
     * duplicate store.
     */
    public String state() {
        Map<String, Object> local = emulators.control().state();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("profile", "dev");
        state.put("webpubsub", withAppView(nested(local, "webpubsub"), this::addWebPubSubHealth));
        state.put("servicebus", withAppView(nested(local, "servicebus"), this::addNamespaceHealth));
        Outbox outbox = context.getRegistry().lookupByNameAndType("outbox", Outbox.class);
        if (outbox != null) {
            state.put("outbox", Map.of("depth", outbox.depth(), "oldestAgeSeconds", outbox.oldestAgeSeconds()));
        }
        IdempotentRepository dedup = context.getRegistry().lookupByNameAndType(
                context.resolvePropertyPlaceholders("{{xregion.servicebus.dedup.repository}}"),
                IdempotentRepository.class);
        if (dedup != null) {
            state.put("dedup", DuplicateStoreReadiness.describe(dedup));
        }
        return ApiErrors.json(state);
    }

    /** Keys are never answered, not even the local ones: xregion.dev.access-key chooses a key to use elsewhere. */
    static String hideKey(String connectionString) {
        return FaultControl.hideKey(connectionString);
    }

    private interface AppView {
        void add(String name, Map<String, Object> state);
    }

    /** {name: state} with the app's view added to each state. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withAppView(Map<String, Object> byName, AppView view) {
        Map<String, Object> viewed = new LinkedHashMap<>();
        byName.forEach((name, state) -> {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) state);
            view.add(name, copy);
            viewed.put(name, copy);
        });
        return viewed;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nested(Map<String, Object> state, String key) {
        return (Map<String, Object>) state.get(key);
    }

    private void addWebPubSubHealth(String instance, Map<String, Object> state) {
        WebPubSubHealth health = context.getRegistry().lookupByNameAndType("webPubSubHealth", WebPubSubHealth.class);
        if (health == null) {
            return;
        }
        for (InstanceHealth.Snapshot snapshot : health.snapshots()) {
            if (snapshot.instance().equals(instance)) {
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

    private void addNamespaceHealth(String namespace, Map<String, Object> state) {
        NamespaceHealth health = context.getRegistry().lookupByNameAndType("namespaceHealth", NamespaceHealth.class);
        if (health == null) {
            return;
        }
        for (NamespaceHealth.Status status : health.statuses()) {
            if (status.namespace().equals(namespace)) {
                state.put("app", status.state().name());
            }
        }
    }

    private static Map<String, Object> refusalsAsApiErrors(Supplier<Map<String, Object>> action) {
        try {
            return action.get();
        } catch (ControlRefusal refused) {
            throw new ApiException(refused.status(), refused.code(), refused.getMessage());
        }
    }

    /** A query parameter given twice reaches the route as a list: passed on as text, it fails validation. */
    private static String text(Object parameter) {
        return parameter == null ? null : parameter.toString();
    }
}
