package io.xregion.servicebus;

import java.time.Duration;
import java.util.function.Supplier;

import com.azure.core.amqp.AmqpRetryMode;
import com.azure.core.amqp.AmqpRetryOptions;
import org.apache.camel.CamelContext;

import io.xregion.security.EntraCredentials;

/**
 * One camel-azure-servicebus component per namespace, {@code azure-servicebus-<namespace>}, which the routes name:
 * the namespace's connection string (or Entra credential) and send budget live on its component, never in a URI.
 */
final class NamespaceComponents {

    private NamespaceComponents() {
    }

    /** @param maxInFlight the most sends to one namespace that may wait for its answer at once */
    static void add(CamelContext context, ServiceBusSettings serviceBus, SendOutcomeRecorder outcomes,
            int maxInFlight, Supplier<EntraCredentials> credentials) {
        for (ServiceBusNamespace namespace : serviceBus.namespaces()) {
            context.addComponent("azure-servicebus-" + namespace.name(),
                    component(namespace, outcomes, maxInFlight, credentials));
        }
    }

    private static MessageIdServiceBusComponent component(ServiceBusNamespace namespace,
            SendOutcomeRecorder outcomes, int maxInFlight, Supplier<EntraCredentials> credentials) {
        // Camel's component configuration, not xregion's ServiceBusConfiguration (the beans)
        var configuration = new org.apache.camel.component.azure.servicebus.ServiceBusConfiguration();
        // a connection string, or an Entra credential and the fully qualified namespace
        NamespaceCredentials.apply(configuration, namespace, kind -> credentials.get().credential(kind));
        // the SDK's backoff jitter fails with a delay under 1 s or a max delay close to it
        configuration.setAmqpRetryOptions(new AmqpRetryOptions().setMode(AmqpRetryMode.EXPONENTIAL)
                .setMaxRetries(namespace.maxRetries()).setTryTimeout(namespace.tryTimeout())
                .setDelay(Duration.ofSeconds(1)).setMaxDelay(Duration.ofSeconds(10)));
        MessageIdServiceBusComponent component = new MessageIdServiceBusComponent(namespace.name(), namespace.host(),
                outcomes, maxInFlight);
        component.setConfiguration(configuration);
        return component;
    }
}
