package io.xregion.servicebus;

/**
 * Which namespace passive replication is using. Sends keep going to the namespace that last carried a message after
 * the other failed (sticky, in both directions); each swap is recorded for logs and metrics.
 */
public final class PassiveRoles {

    private final String primary;
    private final String secondary;
    private volatile String active;

    public PassiveRoles(String primary, String secondary) {
        this.primary = primary;
        this.secondary = secondary;
        this.active = primary;
    }

    public String active() {
        return active;
    }

    /** The namespace not in use. */
    public String other() {
        return active.equals(primary) ? secondary : primary;
    }

    /** Passive replication moves to this namespace; true when that is a swap of roles. */
    public synchronized boolean swapTo(String namespace) {
        if (namespace.equals(active)) {
            return false;
        }
        active = namespace;
        return true;
    }
}
