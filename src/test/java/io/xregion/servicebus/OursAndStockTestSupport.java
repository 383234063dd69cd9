package io.xregion.servicebus;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.component.azure.servicebus.ServiceBusComponent;
import org.apache.camel.test.junit5.CamelTestSupport;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.health.HealthChanges;

/**
 * For the tests that hold xregion's Service Bus component against the stock one it works around: one local namespace
 * with the test's entities, and both components on it, ours as {@code azure-servicebus-eastus} (as the app names it),
 * Camel 4.17.0's own as {@code azure-servicebus}.
 */
abstract class OursAndStockTestSupport extends CamelTestSupport {

    protected ServiceBusEmulator namespace;

    /** The namespace's entities and limits. */
    protected abstract ServiceBusEmulatorOptions namespaceOptions();

    @Override
    protected void doPreSetup() throws Exception {
        namespace = ServiceBusEmulator.start(namespaceOptions());
    }

    @Override
    protected void doPostTearDown() throws Exception {
        namespace.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        String connectionString = namespace.connectionString();
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
        return context;
    }
}
