package io.xregion.servicebus;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: ready while at least one Service Bus namespace is reachable. */
public final class ServiceBusReadiness extends AbstractHealthCheck {

    private final NamespaceHealth health;
    private final Outbox outbox;

    public ServiceBusReadiness(NamespaceHealth health, Outbox outbox) {
        super("xregion", "servicebus");
        this.health = health;
        this.outbox = outbox;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        for (NamespaceHealth.Status status : health.statuses()) {
            builder.detail("namespace." + status.namespace(), status.reachable() ? "reachable" : "unreachable");
        }
        builder.detail("outbox.depth", outbox.depth());
        if (health.reachableNames().isEmpty()) {
            builder.message("No Service Bus namespace is reachable").down();
        } else {
            builder.up();
        }
    }
}
