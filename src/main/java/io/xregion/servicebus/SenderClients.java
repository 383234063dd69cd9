package io.xregion.servicebus;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusSenderAsyncClient;
import org.apache.camel.component.azure.servicebus.CredentialType;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;
import org.apache.camel.component.azure.servicebus.ServiceBusType;

/**
 * Builds a namespace's asynchronous sender from the component's configuration, as camel-azure-servicebus builds its
 * synchronous one.
 *
 * <p>Workaround for a limit of camel-azure-servicebus (checked with Camel 4.17.0): its {@code ServiceBusClientFactory}
 * builds only a {@code ServiceBusSenderClient}, whose every send blocks a thread until the namespace answers or the
 * send budget runs out. A namespace that stops answering would then hold the threads the other namespace's copies
 * need. The asynchronous client holds no thread while a send waits. {@code MessageIdServiceBusComponentTest} fails
 * when the stock factory starts offering an asynchronous sender (then this class may go).
 */
final class SenderClients {

    private SenderClients() {
    }

    static ServiceBusSenderAsyncClient asynchronous(ServiceBusConfiguration configuration) {
        ServiceBusClientBuilder builder = new ServiceBusClientBuilder()
                .transportType(configuration.getAmqpTransportType())
                .clientOptions(configuration.getClientOptions())
                .retryOptions(configuration.getAmqpRetryOptions())
                .proxyOptions(configuration.getProxyOptions());
        CredentialType type = configuration.getCredentialType() == null ? CredentialType.CONNECTION_STRING
                : configuration.getCredentialType();
        switch (type) {
            case CONNECTION_STRING -> builder.connectionString(configuration.getConnectionString());
            case TOKEN_CREDENTIAL -> builder.credential(configuration.getFullyQualifiedNamespace(),
                    configuration.getTokenCredential());
            default -> throw new IllegalStateException("xregion reaches a namespace with its connection string or a "
                    + "Microsoft Entra ID credential, not " + type);
        }
        ServiceBusClientBuilder.ServiceBusSenderClientBuilder sender = builder.sender();
        if (configuration.getServiceBusType() == ServiceBusType.topic) {
            sender.topicName(configuration.getTopicOrQueueName());
        } else {
            sender.queueName(configuration.getTopicOrQueueName());
        }
        return sender.buildAsyncClient();
    }
}
