package io.xregion.servicebus;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.azure.core.amqp.AmqpRetryMode;
import com.azure.core.amqp.AmqpRetryOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;

import io.xregion.config.Settings;
import io.xregion.webpubsub.BroadcastPayload;

/** The Service Bus beans the routes use, and one camel-azure-servicebus component per namespace. */
public final class ServiceBusBeans {

    private final NamespaceHealth health;
    private final Outbox outbox;

    private ServiceBusBeans(NamespaceHealth health, Outbox outbox) {
        this.health = health;
        this.outbox = outbox;
    }

    public static ServiceBusBeans bind(CamelContext context, Settings settings, Clock clock) throws Exception {
        ServiceBusSettings serviceBus = ServiceBusSettings.load(settings);
        BinaryDataConverters.register(context);
        NamespaceHealth health = new NamespaceHealth(serviceBus.namespaces(),
                (int) settings.number("xregion.servicebus.health.timeout-ms", 1, 600_000), clock);
        ServiceBusCounters counters = new ServiceBusCounters(context);
        // a publish's limit, and a drained batch's: the namespace's own message size limit
        int maxMessageBytes = (int) settings.number("xregion.servicebus.max-message-bytes", 1, 100 * 1024 * 1024);
        SendOutcomeRecorder outcomes = new SendOutcomeRecorder(health, counters);
        for (ServiceBusNamespace namespace : serviceBus.namespaces()) {
            context.addComponent("azure-servicebus-" + namespace.name(), component(namespace, outcomes));
        }
        Registry registry = context.getRegistry();
        Outbox outbox = outbox(settings, maxMessageBytes, clock, counters);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                outbox.close();
            }
        }, true, true);

        registry.bind("serviceBusSettings", serviceBus);
        registry.bind("namespaceHealth", health);
        registry.bind("activeRecipients", new ActiveRecipients(health,
                serviceBus.entity() + "?serviceBusType=" + serviceBus.entityType()));
        registry.bind("acceptedByAnyNamespace", new AcceptedByAnyNamespace());
        registry.bind("passiveRoles", new PassiveRoles(serviceBus.primary().name()));
        registry.bind("outbox", outbox);
        registry.bind("processingRetry", new ProcessingRetry(context.createProducerTemplate(),
                (int) settings.number("xregion.servicebus.receive.retry.max-retries", 0, 100),
                Duration.ofMillis(settings.number("xregion.servicebus.receive.retry.initial-delay-ms", 1, 600_000)),
                Duration.ofMillis(settings.number("xregion.servicebus.receive.retry.max-delay-ms", 1, 600_000))));
        // servicebusDedup, the duplicate store: io.xregion.servicebus.dedup.DuplicateStoreConfiguration
        registry.bind("publishRequests", new PublishRequests(new BroadcastPayload(maxMessageBytes), serviceBus.mode(),
                outbox));
        registry.bind("serviceBusReadiness", new ServiceBusReadiness(health, outbox,
                settings.flag("xregion.servicebus.ready-while-queueing")));
        return new ServiceBusBeans(health, outbox);
    }

    public NamespaceHealth health() {
        return health;
    }

    public Outbox outbox() {
        return outbox;
    }

    /** The namespace's connection string and send budget live on its component, never in a URI. */
    private static MessageIdServiceBusComponent component(ServiceBusNamespace namespace,
            SendOutcomeRecorder outcomes) {
        ServiceBusConfiguration configuration = new ServiceBusConfiguration();
        configuration.setConnectionString(namespace.connectionString());
        // the SDK's backoff jitter fails with a delay under 1 s or a max delay close to it
        configuration.setAmqpRetryOptions(new AmqpRetryOptions().setMode(AmqpRetryMode.EXPONENTIAL)
                .setMaxRetries(namespace.maxRetries()).setTryTimeout(namespace.tryTimeout())
                .setDelay(Duration.ofSeconds(1)).setMaxDelay(Duration.ofSeconds(10)));
        MessageIdServiceBusComponent component = new MessageIdServiceBusComponent(namespace.name(), outcomes);
        component.setConfiguration(configuration);
        return component;
    }

    private static Outbox outbox(Settings settings, int maxMessageBytes, Clock clock, ServiceBusCounters counters) {
        if (!settings.flag("xregion.servicebus.outbox.enabled")) {
            return Outbox.disabled();
        }
        Path directory = Path.of(settings.required("xregion.servicebus.outbox.directory"));
        return new Outbox(new FileOutbox(directory, settings.flag("xregion.servicebus.outbox.fsync")),
                directory.resolve("refused"),
                (int) settings.number("xregion.servicebus.outbox.max-messages", 1, 100_000_000),
                Duration.ofMillis(settings.number("xregion.servicebus.outbox.backoff.initial-ms", 1, 3_600_000)),
                Duration.ofMillis(settings.number("xregion.servicebus.outbox.backoff.max-ms", 1, 3_600_000)),
                (int) settings.number("xregion.servicebus.outbox.batch-messages", 1, 4500),
                maxMessageBytes, clock, counters);
    }
}
