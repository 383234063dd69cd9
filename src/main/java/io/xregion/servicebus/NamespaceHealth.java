package io.xregion.servicebus;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.xregion.health.HealthState;

/**
 * Whether each namespace is reachable: a failed send marks it down at once; a periodic probe (a TCP connection to
 * its AMQP port) brings it back. Active replication skips a namespace that is down, so a dead region costs one send
 * budget, not one per message.
 */
public final class NamespaceHealth {

    /** A namespace became reachable (UP) or unreachable (DOWN). */
    public record Change(String namespace, boolean reachable, String reason) {
        public HealthState state() {
            return reachable ? HealthState.UP : HealthState.DOWN;
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
    private final int probeTimeoutMillis;
    private final Clock clock;

    public NamespaceHealth(List<ServiceBusNamespace> namespaces, int probeTimeoutMillis, Clock clock) {
        this.probeTimeoutMillis = probeTimeoutMillis;
        this.clock = clock;
        for (ServiceBusNamespace namespace : namespaces) {
            this.namespaces.put(namespace.name(), namespace);
            // assumed reachable until shown otherwise: the first send or probe decides
            status.put(namespace.name(), new Status(namespace.name(), true, clock.instant(), null));
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

    /** A send failed in a way that points at the namespace. Returns the change, or null. */
    public synchronized Change sendFailed(String namespace, String error) {
        return set(namespace, false, error);
    }

    /** A send went through. Returns the change, or null. */
    public synchronized Change sendSucceeded(String namespace) {
        return set(namespace, true, null);
    }

    /** Probes the namespace's AMQP port. Returns the change, or null. */
    public Change probe(String namespace) {
        ServiceBusNamespace target = namespaces.get(namespace);
        String error = null;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), probeTimeoutMillis);
        } catch (IOException e) {
            error = "probe: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        synchronized (this) {
            return set(namespace, error == null, error);
        }
    }

    private Change set(String namespace, boolean reachable, String error) {
        Status current = status(namespace);
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
