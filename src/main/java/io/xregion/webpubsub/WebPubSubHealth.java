package io.xregion.webpubsub;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.xregion.health.HealthState;

/**
 * What the app server knows about every instance's health, fed by the health route's probes and by failed calls.
 * Routes ask it which instances are healthy; it never decides routing itself.
 */
public final class WebPubSubHealth {

    /** The REST API version named in health probes and calls. */
    public static final String API_VERSION = "2024-01-01";

    private final WebPubSubInstances instances;
    private final Map<String, InstanceHealth> health = new LinkedHashMap<>();
    // rebuilt on every change only, so negotiate and broadcast read it without locking or copying
    private volatile List<InstanceSnapshot> current;

    public WebPubSubHealth(WebPubSubInstances instances, int failureThreshold, int successThreshold, Clock clock) {
        this.instances = instances;
        for (WebPubSubInstance instance : instances.all()) {
            health.put(instance.name(), new InstanceHealth(instance.name(), failureThreshold, successThreshold, clock));
        }
        this.current = read();
    }

    /** The health URL of an instance, without query: the probe adds api-version. */
    public String probeUrl(String instance) {
        return instance(instance).endpoint() + "/api/health";
    }

    /** A probe answered; 2xx is healthy, anything else is not. Returns the change, or null. */
    public HealthChange probed(String instance, Integer status) {
        if (status != null && status >= 200 && status < 300) {
            return published(of(instance).success());
        }
        return published(of(instance).failure("health answered HTTP " + status));
    }

    /** A fanned-out call to the instance failed in a way that points at the instance (no answer, or 5xx). */
    public HealthChange callFailed(FanoutResult.InstanceOutcome outcome) {
        return published(of(outcome.instance()).failure(outcome.error()));
    }

    /** A probe failed without an answer (refused, timed out, reset). */
    public HealthChange probeFailed(String instance, Exception error) {
        return published(of(instance).failure(error.getClass().getSimpleName() + ": " + error.getMessage()));
    }

    /** Whether the last results disagree with the state: the health route probes again soon to settle it. */
    public boolean unsettled(String instance) {
        return of(instance).unsettled();
    }

    public boolean healthy(String instance) {
        return of(instance).healthy();
    }

    public boolean primaryHealthy() {
        return healthy(instances.primary().name());
    }

    public HealthState state(String instance) {
        return of(instance).state();
    }

    /** The healthy instances, in preference order. */
    public List<WebPubSubInstance> healthyInstances() {
        return instances.all().stream().filter(i -> of(i.name()).healthy()).toList();
    }

    /**
     * This app server's primary is back: a recovery from DOWN, or its first verdict UP after a start (this app
     * server may have been gone with its whole region, while its clients moved to a secondary). What triggers
     * failback.
     */
    public boolean primaryBack(HealthChange change) {
        return change != null && change.to() == HealthState.UP && change.from() != HealthState.UP
                && change.instance().equals(instances.primary().name());
    }

    /** Every instance, in preference order, with its role and its health as of the last change: what routers see. */
    public List<InstanceSnapshot> current() {
        return current;
    }

    public List<InstanceHealth.Snapshot> snapshots() {
        return health.values().stream().map(InstanceHealth::snapshot).toList();
    }

    private HealthChange published(HealthChange change) {
        if (change != null) {
            refresh();
        }
        return change;
    }

    // one refresh at a time, each after its own change: the last one reads every change made before it
    private synchronized void refresh() {
        current = read();
    }

    private List<InstanceSnapshot> read() {
        return instances.all().stream().map(i -> new InstanceSnapshot(i, of(i.name()).state())).toList();
    }

    private InstanceHealth of(String instance) {
        InstanceHealth h = health.get(instance);
        if (h == null) {
            throw new IllegalArgumentException("no Web PubSub instance named '" + instance + "'");
        }
        return h;
    }

    private WebPubSubInstance instance(String name) {
        return instances.byName(name)
                .orElseThrow(() -> new IllegalArgumentException("no Web PubSub instance named '" + name + "'"));
    }
}
