package io.xregion.servicebus;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

import io.xregion.config.Settings;
import io.xregion.health.HealthChanges;
import io.xregion.security.EntraCredentials;
import io.xregion.webpubsub.BroadcastPayload;
import io.xregion.webpubsub.WebPubSubSettings;

/**
 * The Service Bus beans the routes use, each from its own settings. A bean that needs settings or other beans is
 * lazy: Camel creates it when a route (or another bean) first looks it up, after XRegionConfiguration has loaded the
 * mounted secrets and prepared the profile, whose settings it may read. Not beans: the one component per namespace
 * ({@link #addComponents}).
 */
public class ServiceBusConfiguration implements CamelConfiguration {

    /**
     * What Service Bus needs besides its beans: the BinaryData converters and one camel-azure-servicebus component
     * per namespace. Called once the profile has set the namespaces' connection strings.
     */
    public static void addComponents(CamelContext context) {
        BinaryDataConverters.register(context);
        var registry = context.getRegistry();
        // every namespace's producer records its sends' outcomes: in the namespace's health, the counters and the
        // status page's recent changes
        SendOutcomeRecorder outcomes = new SendOutcomeRecorder(
                registry.lookupByNameAndType("namespaceHealth", NamespaceHealth.class),
                registry.lookupByNameAndType("serviceBusCounters", ServiceBusCounters.class),
                registry.lookupByNameAndType("healthChanges", HealthChanges.class));
        ServiceBusSettings serviceBus = registry.lookupByNameAndType("serviceBusSettings", ServiceBusSettings.class);
        NamespaceComponents.add(context, serviceBus, outcomes, serviceBus.send().maxInFlight(),
                () -> registry.lookupByNameAndType("entraCredentials", EntraCredentials.class));
    }

    @BindToRegistry(value = "serviceBusSettings", lazy = true)
    public ServiceBusSettings serviceBusSettings(CamelContext context) {
        // the namespaces' keys are named after them (xregion.servicebus.<namespace>.*): read through Settings
        return ServiceBusSettings.load(Settings.of(context));
    }

    @BindToRegistry(value = "namespaceHealth", lazy = true)
    public NamespaceHealth namespaceHealth(@BeanInject("serviceBusSettings") ServiceBusSettings serviceBus) {
        ServiceBusSettings.Health health = serviceBus.health();
        return new NamespaceHealth(serviceBus.namespaces(), (int) health.timeout().toMillis(),
                health.failureThreshold(), health.successThreshold(), Clock.systemUTC());
    }

    /** The counts made in Java, shared by the namespaces' producers and the outbox. */
    @BindToRegistry(value = "serviceBusCounters", lazy = true)
    public ServiceBusCounters serviceBusCounters(CamelContext context) {
        return new ServiceBusCounters(context);
    }

    /** The receivers' replication lag: the first copies wait for the second as long as the duplicate window. */
    @BindToRegistry(value = "replicationLag", lazy = true)
    public ReplicationLag replicationLag(CamelContext context,
            @BeanInject("serviceBusCounters") ServiceBusCounters counters) {
        // the duplicate store's settings (DuplicateStoreConfiguration reads and checks them with the store's)
        Settings settings = Settings.of(context);
        return new ReplicationLag(counters, Duration.ofSeconds(settings.number(
                "xregion.servicebus.dedup.window-seconds", 1, 7 * 86_400)),
                settings.number("xregion.servicebus.dedup.max-entries", 1, 100_000_000));
    }

    @BindToRegistry(value = "namespaceSenders", lazy = true)
    public NamespaceSenders namespaceSenders(CamelContext context,
            @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus) {
        return new NamespaceSenders(context, serviceBus.entity() + "?serviceBusType=" + serviceBus.entityType());
    }

    @BindToRegistry(value = "activeReplication", lazy = true)
    public ActiveReplication activeReplication(@BeanInject("namespaceHealth") NamespaceHealth health,
            @BeanInject("namespaceSenders") NamespaceSenders senders,
            @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus) {
        return new ActiveReplication(health, senders, serviceBus.send().otherCopiesWait(), sendBudget(serviceBus));
    }

    @BindToRegistry(value = "passiveRoles", lazy = true)
    public PassiveRoles passiveRoles(@BeanInject("serviceBusSettings") ServiceBusSettings serviceBus) {
        return new PassiveRoles(serviceBus.primary().name(), serviceBus.secondary().name());
    }

    @BindToRegistry(value = "passiveReplication", lazy = true)
    public PassiveReplication passiveReplication(@BeanInject("namespaceHealth") NamespaceHealth health,
            @BeanInject("namespaceSenders") NamespaceSenders senders,
            @BeanInject("passiveRoles") PassiveRoles roles,
            @BeanInject("serviceBusCounters") ServiceBusCounters counters,
            @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus) {
        return new PassiveReplication(health, senders, roles, counters, serviceBus.send().hedgeAfter(),
                sendBudget(serviceBus));
    }

    /** The longest a copy can take, on either namespace, with a margin: a safety net behind the SDK's timeouts. */
    private static Duration sendBudget(ServiceBusSettings serviceBus) {
        Duration longest = serviceBus.namespaces().stream().map(ServiceBusNamespace::sendBudget)
                .max(Duration::compareTo).orElseThrow();
        return longest.plusSeconds(5);
    }

    @BindToRegistry(value = "outbox", lazy = true)
    public Outbox outbox(CamelContext context, @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus,
            @BeanInject("serviceBusCounters") ServiceBusCounters counters) {
        ServiceBusSettings.OutboxSettings settings = serviceBus.outbox();
        if (!settings.enabled()) {
            return Outbox.disabled();
        }
        Path path = Path.of(settings.directory());
        Outbox outbox = new Outbox(new FileOutbox(path, settings.fsync()), path.resolve("refused"),
                settings.maxMessages(), settings.initialBackoff(), settings.maxBackoff(), settings.batchMessages(),
                // a drained batch's limit: the namespace's own message size limit
                serviceBus.maxMessageBytes(), Clock.systemUTC(), counters);
        closeOnStop(context, outbox);
        return outbox;
    }

    /**
     * Closes the outbox's files when Camel stops. Not with the registry's destroyMethod: on a lazy bean Camel 4.17.0
     * calls it at registry stop even when nothing made the bean, and makes it then, when its dependencies are gone.
     */
    private static void closeOnStop(CamelContext context, Outbox outbox) {
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    outbox.close();
                }
            }, true, true);
        } catch (Exception e) {
            outbox.close();
            throw new IllegalStateException("the outbox's close on stop could not be registered", e);
        }
    }

    /**
     * The receive routes' retries. Made when the routes are, so the lock renewal the receivers are given
     * ({@code lock-renewal-ms}, the routes' maxAutoLockRenewDuration) is checked here too: it must outlast what a
     * message can take, or a live app server's message would come back to Service Bus while it is still processed.
     */
    @BindToRegistry(value = "processingRetry", lazy = true)
    public ProcessingRetry processingRetry(CamelContext context,
            @BeanInject("serviceBusCounters") ServiceBusCounters counters,
            @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus) {
        ServiceBusSettings.Receive receive = serviceBus.receive();
        ProcessingRetry retry = new ProcessingRetry(context.createProducerTemplate(), receive.maxRetries(),
                receive.initialRetryDelay(), receive.maxRetryDelay(), counters);
        // the duplicate store's own setting (DuplicateStoreConfiguration reads and checks it with the store's)
        LockRenewal.check(receive.lockRenewal(), Duration.ofMillis(Settings.of(context).number(
                "xregion.servicebus.dedup.redis.claim-wait-ms", 0, 3_600_000)), retry.pauses());
        return retry;
    }

    @BindToRegistry(value = "receivedMessages", lazy = true)
    public ReceivedMessages receivedMessages(CamelContext context) {
        // the default processing broadcasts: what is larger than a broadcast carries is dead-lettered
        return new ReceivedMessages(WebPubSubSettings.load(Settings.of(context)).broadcastMaxMessageBytes());
    }

    // servicebusDedup, the receivers' duplicate store (xregion.servicebus.dedup.repository names it), is bound by
    // io.xregion.servicebus.dedup.DuplicateStoreConfiguration: memory or redis, xregion.servicebus.dedup.store

    @BindToRegistry(value = "publishRequests", lazy = true)
    public PublishRequests publishRequests(@BeanInject("serviceBusSettings") ServiceBusSettings serviceBus,
            @BeanInject("outbox") Outbox outbox) {
        // a publish's limit: the namespace's own message size limit
        return new PublishRequests(new BroadcastPayload(serviceBus.maxMessageBytes()), serviceBus.mode(), outbox);
    }

    @BindToRegistry(value = "serviceBusReadiness", lazy = true)
    public ServiceBusReadiness serviceBusReadiness(@BeanInject("namespaceHealth") NamespaceHealth health,
            @BeanInject("outbox") Outbox outbox,
            @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus) {
        return new ServiceBusReadiness(health, outbox, serviceBus.readyWhileQueueing());
    }
}
