package io.xregion.servicebus;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;

/**
 * The endpoints active replication sends a message to: the {@code azure-servicebus-<namespace>} endpoint of every
 * namespace not known to be unreachable. The others are recorded as skipped, so a lost region costs one send budget
 * rather than one per message; none reachable is an outage.
 */
public final class ActiveRecipients {

    private final NamespaceHealth health;
    private final String entity;

    /** @param entity the entity part of the endpoint URI, e.g. {@code events?serviceBusType=topic} */
    public ActiveRecipients(NamespaceHealth health, String entity) {
        this.health = health;
        this.entity = entity;
    }

    public List<String> reachable(Exchange exchange) {
        List<String> recipients = new ArrayList<>();
        for (String namespace : health.names()) {
            if (health.reachable(namespace)) {
                recipients.add("azure-servicebus-" + namespace + ":" + entity);
            } else {
                SendOutcomes.of(exchange).record(namespace, "skipped: unreachable");
            }
        }
        if (recipients.isEmpty()) {
            throw new NamespaceUnavailableException("No Service Bus namespace is reachable", null);
        }
        return recipients;
    }
}
