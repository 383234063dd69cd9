package io.xregion.servicebus;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.component.azure.servicebus.ServiceBusComponent;

import io.xregion.health.HealthChanges;

/**
 * For the tests that hold xregion's Service Bus component against the stock one it works around: both on one
 * namespace, ours as {@code azure-servicebus-eastus} (as the app names it), Camel 4.17.0's own as
 * {@code azure-servicebus}.
 */
final class BothServiceBusComponents {

    private BothServiceBusComponents() {
    }

    static void addTo(CamelContext context, String connectionString) {
        ServiceBusNamespace eastus = ServiceBusNamespace.of("eastus", connectionString, Duration.ofSeconds(5), 0);
        NamespaceHealth health = new NamespaceHealth(List.of(eastus), 1000, 2, 2, Clock.systemUTC());
        MessageIdServiceBusComponent ours = new MessageIdServiceBusComponent("eastus",
                new SendOutcomeRecorder(health, ServiceBusCounters.none(), new HealthChanges(10, Clock.systemUTC())),
                256);
        ours.getConfiguration().setConnectionString(connectionString);
        context.addComponent("azure-servicebus-eastus", ours);
        ServiceBusComponent stock = new ServiceBusComponent();
        stock.getConfiguration().setConnectionString(connectionString);
        context.addComponent("azure-servicebus", stock);
    }
}
