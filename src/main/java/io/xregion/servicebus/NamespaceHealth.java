package io.xregion.servicebus;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import io.xregion.health.HealthState;
import io.xregion.health.StateChange;

/**
 * Whether each namespace is reachable. A probe ({@link AmqpProbe}: the namespace must answer the AMQP header within
 * the timeout) runs every interval; {@code failure-threshold} failed probes in a row mark a namespace DOWN and
 * {@code success-threshold} answered ones bring it back UP, a result that disagrees with the state being confirmed at
 * once by the health route, so a lost namespace is known within about a second while one lost probe changes nothing.
 * A send's own outcome counts at once: a send that failed as an outage after its whole budget marks the namespace
 * DOWN, an accepted one UP. Active replication skips a namespace that is DOWN; passive replication moves off it.
 */
public final class NamespaceHealth {

    /** A namespace became reachable (UP) or unreachable (DOWN, for {@code reason}). */
    public record Change(String namespace, boolean reachable, String reason) implements StateChange {
        public HealthState state() {
            return reachable ? HealthState.UP : HealthState.DOWN;
        }

        @Override
        public String kind() {
            return "servicebus";
        }

        @Override
        public String name() {
            return namespace;
        }

        @Override
        public HealthState from() {
            return reachable ? HealthState.DOWN : HealthState.UP;
        }

        @Override
        public HealthState to() {
            return state();
        }
    }

    /** What is known of one namespace. */
    public record Status(String namespace, boolean reachable, Instant since, String lastError) {
        public HealthState state() {
            return reachable ? HealthState.UP : HealthState.DOWN;
        }
    }

    private final Map<String, ServiceBusNamespace> namespaces = new LinkedHashMap<>();
    private final Map<String, Status> status = new LinkedHashMap<>();
    private final Map<String, int[]> inARow = new LinkedHashMap<>();
    private final int probeTimeoutMillis;
    private final int failureThreshold;
    private final int successThreshold;
    private final BiFunction<ServiceBusNamespace, Integer, String> probe;
    private final Clock clock;

    public NamespaceHealth(List<ServiceBusNamespace> namespaces, int probeTimeoutMillis, int failureThreshold,
            int successThreshold, Clock clock) {
        this(namespaces, probeTimeoutMillis, failureThreshold, successThreshold, AmqpProbe::probe, clock);
    }

    /** @param probe what one probe of a namespace found: null when it answered, else the error */
    NamespaceHealth(List<ServiceBusNamespace> namespaces, int probeTimeoutMillis, int failureThreshold,
            int successThreshold, BiFunction<ServiceBusNamespace, Integer, String> probe, Clock clock) {
        if (failureThreshold < 1 || successThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be at least 1");
        }
        this.probeTimeoutMillis = probeTimeoutMillis;
        this.failureThreshold = failureThreshold;
        this.successThreshold = successThreshold;
        this.probe = probe;
        this.clock = clock;
        for (ServiceBusNamespace namespace : namespaces) {
            this.namespaces.put(namespace.name(), namespace);
            // assumed reachable until shown otherwise: the first send or probes decide
            status.put(namespace.name(), new Status(namespace.name(), true, clock.instant(), null));
            inARow.put(namespace.name(), new int[2]);
        }
    }

    public List<String> names() {
        return List.copyOf(namespaces.keySet());
    }

    public synchronized boolean reachable(String namespace) {
        return status(namespace).reachable();
    }

    public synchronized List<String> reachableNames() {
        return status.values().stream().filter(Status::reachable).map(Status::namespace).toList();
    }

    public synchronized List<Status> statuses() {
        return List.copyOf(status.values());
    }

    /** A send failed as an outage, after its whole budget: the namespace is DOWN. Returns the change, or null. */
    public synchronized Change sendFailed(String namespace, String error) {
        return set(namespace, false, error);
    }

    /** A send went through: the namespace is UP. Returns the change, or null. */
    public synchronized Change sendSucceeded(String namespace) {
        return set(namespace, true, null);
    }

    /** Probes the namespace (an AMQP header exchange within the timeout). Returns the change, or null. */
    public Change probe(String namespace) {
        ServiceBusNamespace target = namespaces.get(namespace);
        if (target == null) {
            throw new IllegalArgumentException("no Service Bus namespace named '" + namespace + "'");
        }
        String error = probe.apply(target, probeTimeoutMillis);
        synchronized (this) {
            int[] counts = inARow.get(namespace);
            boolean reachable = status(namespace).reachable();
            if (error == null) {
                counts[0] = 0;
                counts[1]++;
                return !reachable && counts[1] >= successThreshold ? set(namespace, true, null) : null;
            }
            counts[1] = 0;
            counts[0]++;
            if (reachable && counts[0] >= failureThreshold) {
                return set(namespace, false, error);
            }
            if (!reachable) {
                status.put(namespace, new Status(namespace, false, status(namespace).since(), error));
            }
            return null;
        }
    }

    /** True while the latest probes disagree with the state but have not reached the threshold yet. */
    public synchronized boolean unsettled(String namespace) {
        int[] counts = inARow.get(namespace);
        boolean reachable = status(namespace).reachable();
        return reachable && counts[0] > 0 || !reachable && counts[1] > 0;
    }

    private Change set(String namespace, boolean reachable, String error) {
        Status current = status(namespace);
        int[] counts = inARow.get(namespace);
        counts[0] = 0;
        counts[1] = 0;
        if (current.reachable() == reachable) {
            if (!reachable) {
                status.put(namespace, new Status(namespace, false, current.since(), error));
            }
            return null;
        }
        status.put(namespace, new Status(namespace, reachable, clock.instant(), error));
        return new Change(namespace, reachable, error);
    }

    private Status status(String namespace) {
        Status s = status.get(namespace);
        if (s == null) {
            throw new IllegalArgumentException("no Service Bus namespace named '" + namespace + "'");
        }
        return s;
    }
}
