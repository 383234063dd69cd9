package io.xregion.servicebus;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: ready while at least one Service Bus namespace is reachable. Optionally also while none is but the
 * outbox still takes messages, for installs that would rather keep this app server's event handler and publish API
 * in rotation and queue than send their traffic to another region.
 */
public final class ServiceBusReadiness extends AbstractHealthCheck {

    private final NamespaceHealth health;
    private final Outbox outbox;
    private final boolean readyWhileQueueing;

    public ServiceBusReadiness(NamespaceHealth health, Outbox outbox, boolean readyWhileQueueing) {
        super("xregion", "servicebus");
        this.health = health;
        this.outbox = outbox;
        this.readyWhileQueueing = readyWhileQueueing;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        for (NamespaceHealth.Status status : health.statuses()) {
            builder.detail("namespace." + status.namespace(), status.state().name());
        }
        builder.detail("outbox.depth", outbox.depth());
        if (!health.reachableNames().isEmpty()) {
            builder.up();
        } else if (readyWhileQueueing && outbox.takesMessages()) {
            builder.message("No Service Bus namespace is reachable; messages wait in the outbox").up();
        } else {
            builder.message("No Service Bus namespace is reachable").down();
        }
    }
}
