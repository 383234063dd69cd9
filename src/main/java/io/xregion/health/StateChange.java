package io.xregion.health;

/**
 * A Web PubSub instance or a Service Bus namespace moved from one health state to another: what the status page's
 * recent changes list ({@link HealthChanges}) keeps, whichever kind of thing changed.
 */
public interface StateChange {

    /** {@code webpubsub} or {@code servicebus}. */
    String kind();

    /** The instance's or namespace's name. */
    String name();

    HealthState from();

    HealthState to();

    /** Why it went DOWN (the failed probe or call); null for a move to UP. Never a secret. */
    String reason();
}
