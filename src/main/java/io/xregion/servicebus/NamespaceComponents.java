package io.xregion.servicebus;

import java.time.Duration;

import com.azure.core.amqp.AmqpRetryMode;
import com.azure.core.amqp.AmqpRetryOptions;
import org.apache.camel.CamelContext;

/**
 * One camel-azure-servicebus component per namespace, {@code azure-servicebus-<namespace>}, which the routes name:
 * the namespace's connection string and send budget live on its component, never in a URI.
 */
final class NamespaceComponents {

    private NamespaceComponents() {
    }

    static void add(CamelContext context, ServiceBusSettings serviceBus, SendOutcomeRecorder outcomes) {
        for (ServiceBusNamespace namespace : serviceBus.namespaces()) {
            context.addComponent("azure-servicebus-" + namespace.name(), component(namespace, outcomes));
        }
    }

    private static MessageIdServiceBusComponent component(ServiceBusNamespace namespace,
            SendOutcomeRecorder outcomes) {
        // Camel's component configuration, not xregion's ServiceBusConfiguration (the beans)
        var configuration = new org.apache.camel.component.azure.servicebus.ServiceBusConfiguration();
        configuration.setConnectionString(namespace.connectionString());
        // the SDK's backoff jitter fails with a delay under 1 s or a max delay close to it
        configuration.setAmqpRetryOptions(new AmqpRetryOptions().setMode(AmqpRetryMode.EXPONENTIAL)
                .setMaxRetries(namespace.maxRetries()).setTryTimeout(namespace.tryTimeout())
                .setDelay(Duration.ofSeconds(1)).setMaxDelay(Duration.ofSeconds(10)));
        MessageIdServiceBusComponent component = new MessageIdServiceBusComponent(namespace.name(), outcomes);
        component.setConfiguration(configuration);
        return component;
    }
}
