package io.xregion.servicebus;

/**
 * Which namespace passive replication is using. The failover load balancer in the route keeps sending to the
 * namespace that last worked (sticky, in both directions); this records each swap for logs and metrics.
 */
public final class PassiveRoles {

    private volatile String active;

    public PassiveRoles(String primary) {
        this.active = primary;
    }

    public String active() {
        return active;
    }

    /** The namespace that just took a message; true when that is a swap of roles. */
    public synchronized boolean carried(String namespace) {
        if (namespace == null || namespace.equals(active)) {
            return false;
        }
        active = namespace;
        return true;
    }
}
