package io.xregion.status;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.spi.IdempotentRepository;

import io.xregion.health.HealthChanges;
import io.xregion.health.HealthState;
import io.xregion.servicebus.NamespaceHealth;
import io.xregion.servicebus.Outbox;
import io.xregion.servicebus.PassiveRoles;
import io.xregion.servicebus.ServiceBusNamespace;
import io.xregion.servicebus.ServiceBusSettings;
import io.xregion.servicebus.dedup.DuplicateStoreReadiness;
import io.xregion.webpubsub.InstanceHealth;
import io.xregion.webpubsub.WebPubSubHealth;
import io.xregion.webpubsub.WebPubSubInstance;
import io.xregion.webpubsub.WebPubSubInstances;

/**
 * What the status page shows, as one JSON document ({@code /observe/status.json}): read from the beans that hold
 * each part (never a copy kept here), so it is as fresh as they are. It names instances, namespaces, endpoints and
 * hosts, never a connection string, key or token: error texts come from libraries, so they pass through
 * {@link SecretRedaction} too.
 */
public final class StatusReport {

    /** Said of every instance: xregion cannot count an instance's connections (see docs/observability.md). */
    static final String CONNECTIONS_NOT_KNOWN = "not known to xregion: Web PubSub's REST API has no connection count "
            + "(Azure Monitor's Connection Count metric of the instance has it); this app server only sees the "
            + "connect events its own region's instance sends it";

    /** Where the failback leader is elected, as the status page names it. */
    public record Leadership(CamelClusterService service, String kind, String namespace) {
    }

    private final CamelContext camel;
    private final WebPubSubInstances instances;
    private final WebPubSubHealth instanceHealth;
    private final ServiceBusSettings serviceBus;
    private final NamespaceHealth namespaceHealth;
    private final PassiveRoles passiveRoles;
    private final IdempotentRepository duplicateStore;
    private final Leadership leadership;
    private final Outbox outbox;
    private final HealthChanges changes;
    private final long refreshMillis;
    private final Clock clock;
    private final String replica = hostName();

    public StatusReport(CamelContext camel, WebPubSubInstances instances, WebPubSubHealth instanceHealth,
            ServiceBusSettings serviceBus, NamespaceHealth namespaceHealth, PassiveRoles passiveRoles,
            IdempotentRepository duplicateStore, Leadership leadership, Outbox outbox, HealthChanges changes,
            long refreshMillis, Clock clock) {
        this.camel = camel;
        this.instances = instances;
        this.instanceHealth = instanceHealth;
        this.serviceBus = serviceBus;
        this.namespaceHealth = namespaceHealth;
        this.passiveRoles = passiveRoles;
        this.duplicateStore = duplicateStore;
        this.leadership = leadership;
        this.outbox = outbox;
        this.changes = changes;
        this.refreshMillis = refreshMillis;
        this.clock = clock;
    }

    /** The whole status, in the order the page shows it. */
    public Map<String, Object> read() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("app", camel.getName());
        status.put("region", instances.primary().name());
        status.put("replica", replica);
        status.put("time", clock.instant().toString());
        status.put("refreshMs", refreshMillis);
        status.put("ready", readiness());
        List<InstanceHealth.Snapshot> instanceStates = instanceHealth.snapshots();
        List<NamespaceHealth.Status> namespaceStates = namespaceHealth.statuses();
        status.put("regions", regions(instanceStates, namespaceStates));
        status.put("webpubsub", webPubSub(instanceStates));
        status.put("servicebus", serviceBus(namespaceStates));
        status.put("duplicateStore", duplicateStore());
        status.put("failbackLeader", failbackLeader());
        status.put("outbox", outbox());
        status.put("recentChanges", recentChanges());
        return status;
    }

    /** What /observe/health/ready answers, and which checks make it DOWN. */
    private Map<String, Object> readiness() {
        List<String> down = new ArrayList<>();
        for (HealthCheck.Result result : HealthCheckHelper.invokeReadiness(camel)) {
            if (result.getState() == HealthCheck.State.DOWN) {
                down.add(result.getCheck().getId());
            }
        }
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("state", down.isEmpty() ? "UP" : "DOWN");
        ready.put("down", down);
        return ready;
    }

    /**
     * Instances and namespaces are named after their regions: one row per name, with this app server's own region
     * (its primary instance) marked home.
     */
    private List<Map<String, Object>> regions(List<InstanceHealth.Snapshot> instanceStates,
            List<NamespaceHealth.Status> namespaceStates) {
        Map<String, Map<String, Object>> regions = new LinkedHashMap<>();
        for (InstanceHealth.Snapshot instance : instanceStates) {
            region(regions, instance.instance()).put("webpubsub", instance.state().name());
        }
        for (NamespaceHealth.Status namespace : namespaceStates) {
            region(regions, namespace.namespace()).put("servicebus", namespace.state().name());
        }
        return new ArrayList<>(regions.values());
    }

    private Map<String, Object> region(Map<String, Map<String, Object>> regions, String name) {
        return regions.computeIfAbsent(name, n -> {
            Map<String, Object> region = new LinkedHashMap<>();
            region.put("name", n);
            region.put("home", n.equals(instances.primary().name()));
            region.put("webpubsub", null);
            region.put("servicebus", null);
            return region;
        });
    }

    private Map<String, Object> webPubSub(List<InstanceHealth.Snapshot> states) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (InstanceHealth.Snapshot state : states) {
            WebPubSubInstance instance = instances.byName(state.instance()).orElseThrow();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", instance.name());
            entry.put("role", instance.role().tag());
            entry.put("state", state.state().name());
            entry.put("since", state.since().toString());
            entry.put("lastError", SecretRedaction.redact(state.lastError()));
            entry.put("endpoint", instance.endpoint().toString());
            entry.put("connections", null);
            list.add(entry);
        }
        Map<String, Object> webPubSub = new LinkedHashMap<>();
        webPubSub.put("hub", instances.hub());
        webPubSub.put("connections", CONNECTIONS_NOT_KNOWN);
        webPubSub.put("instances", list);
        return webPubSub;
    }

    private Map<String, Object> serviceBus(List<NamespaceHealth.Status> states) {
        boolean passive = serviceBus.mode() == ServiceBusSettings.Mode.PASSIVE;
        List<Map<String, Object>> list = new ArrayList<>();
        for (NamespaceHealth.Status state : states) {
            ServiceBusNamespace namespace = serviceBus.namespace(state.namespace());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", namespace.name());
            entry.put("role", namespace.name().equals(serviceBus.primary().name()) ? "primary" : "secondary");
            entry.put("state", state.state().name());
            entry.put("since", state.since().toString());
            entry.put("lastError", SecretRedaction.redact(state.lastError()));
            entry.put("host", namespace.host());
            list.add(entry);
        }
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("mode", serviceBus.mode().name().toLowerCase(Locale.ROOT));
        section.put("entity", serviceBus.entity());
        // active replication writes to every reachable namespace; passive to the one it uses
        section.put("inUse", passive ? passiveRoles.active() : null);
        section.put("namespaces", list);
        return section;
    }

    private Map<String, Object> duplicateStore() {
        Map<String, Object> description = new LinkedHashMap<>(DuplicateStoreReadiness.describe(duplicateStore));
        description.computeIfPresent("lastError", (key, error) -> SecretRedaction.redact(String.valueOf(error)));
        return description;
    }

    private Map<String, Object> failbackLeader() {
        Map<String, Object> leader = new LinkedHashMap<>();
        leader.put("service", leadership.kind());
        leader.put("namespace", leadership.namespace());
        Optional<CamelClusterView> view = view();
        CamelClusterMember local = view.map(CamelClusterView::getLocalMember).orElse(null);
        leader.put("leader", local != null && local.isLeader());
        // which replica leads: a Kubernetes Lease names its holder (a pod); a file lock names no one (camel-file
        // gives every member the service's id)
        leader.put("leaderMember", "kubernetes".equals(leadership.kind())
                ? view.flatMap(CamelClusterView::getLeader).map(CamelClusterMember::getId).orElse(null) : null);
        return leader;
    }

    private Optional<CamelClusterView> view() {
        try {
            return Optional.ofNullable(leadership.service().getView(leadership.namespace()));
        } catch (Exception e) {
            // no view while the service starts or stops: shown as not the leader, as the metric shows it
            return Optional.empty();
        }
    }

    private Map<String, Object> outbox() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("enabled", outbox.enabled());
        section.put("depth", outbox.depth());
        section.put("oldestAgeSeconds", outbox.oldestAgeSeconds());
        section.put("takesMessages", outbox.takesMessages());
        return section;
    }

    private Map<String, Object> recentChanges() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (HealthChanges.Entry change : changes.recent()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("at", change.at().toString());
            entry.put("kind", change.kind());
            entry.put("name", change.name());
            entry.put("from", name(change.from()));
            entry.put("to", name(change.to()));
            entry.put("reason", SecretRedaction.redact(change.reason()));
            list.add(entry);
        }
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("limit", changes.limit());
        section.put("changes", list);
        return section;
    }

    /** This app server's host name: its pod's name on Kubernetes. */
    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }

    private static String name(HealthState state) {
        return state == null ? null : state.name();
    }
}
