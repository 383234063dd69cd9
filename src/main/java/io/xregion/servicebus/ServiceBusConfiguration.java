package io.xregion.servicebus;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.service.ServiceSupport;

import io.xregion.config.Settings;
import io.xregion.health.HealthChanges;
import io.xregion.security.EntraCredentials;
import io.xregion.webpubsub.BroadcastPayload;

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
        NamespaceComponents.add(context, registry.lookupByNameAndType("serviceBusSettings", ServiceBusSettings.class),
                outcomes, (int) Settings.of(context).number("xregion.servicebus.send.max-in-flight", 1, 100_000),
                () -> registry.lookupByNameAndType("entraCredentials", EntraCredentials.class));
    }

    @BindToRegistry(value = "serviceBusSettings", lazy = true)
    public ServiceBusSettings serviceBusSettings(CamelContext context) {
        // the namespaces' keys are named after them (xregion.servicebus.<namespace>.*): read through Settings
        return ServiceBusSettings.load(Settings.of(context));
    }

    @BindToRegistry(value = "namespaceHealth", lazy = true)
    public NamespaceHealth namespaceHealth(@BeanInject("serviceBusSettings") ServiceBusSettings serviceBus,
            @PropertyInject("xregion.servicebus.health.timeout-ms") String timeout,
            @PropertyInject("xregion.servicebus.health.failure-threshold") String failureThreshold,
            @PropertyInject("xregion.servicebus.health.success-threshold") String successThreshold) {
        return new NamespaceHealth(serviceBus.namespaces(),
                Settings.intNumber("xregion.servicebus.health.timeout-ms", timeout, 1, 600_000),
                Settings.intNumber("xregion.servicebus.health.failure-threshold", failureThreshold, 1, 100),
                Settings.intNumber("xregion.servicebus.health.success-threshold", successThreshold, 1, 100),
                Clock.systemUTC());
    }

    /** The counts made in Java, shared by the namespaces' producers and the outbox. */
    @BindToRegistry(value = "serviceBusCounters", lazy = true)
    public ServiceBusCounters serviceBusCounters(CamelContext context) {
        return new ServiceBusCounters(context);
    }

    /** The receivers' replication lag: the first copies wait for the second as long as the duplicate window. */
    @BindToRegistry(value = "replicationLag", lazy = true)
    public ReplicationLag replicationLag(@BeanInject("serviceBusCounters") ServiceBusCounters counters,
            @PropertyInject("xregion.servicebus.dedup.window-seconds") String windowSeconds,
            @PropertyInject("xregion.servicebus.dedup.max-entries") String maxEntries) {
        return new ReplicationLag(counters, Duration.ofSeconds(Settings.number(
                "xregion.servicebus.dedup.window-seconds", windowSeconds, 1, 7 * 86_400)),
                Settings.number("xregion.servicebus.dedup.max-entries", maxEntries, 1, 100_000_000));
    }

    @BindToRegistry(value = "namespaceSenders", lazy = true)
    public NamespaceSenders namespaceSenders(CamelContext context,
            @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus) {
        return new NamespaceSenders(context, serviceBus.entity() + "?serviceBusType=" + serviceBus.entityType());
    }

    @BindToRegistry(value = "activeReplication", lazy = true)
    public ActiveReplication activeReplication(@BeanInject("namespaceHealth") NamespaceHealth health,
            @BeanInject("namespaceSenders") NamespaceSenders senders,
            @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus,
            @PropertyInject("xregion.servicebus.send.other-copies-wait-ms") String otherCopiesWait) {
        return new ActiveReplication(health, senders, Duration.ofMillis(Settings.number(
                "xregion.servicebus.send.other-copies-wait-ms", otherCopiesWait, 0, 60_000)), sendBudget(serviceBus));
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
            @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus,
            @PropertyInject("xregion.servicebus.send.hedge-after-ms") String hedgeAfter) {
        return new PassiveReplication(health, senders, roles, counters, Duration.ofMillis(Settings.number(
                "xregion.servicebus.send.hedge-after-ms", hedgeAfter, 0, 600_000)), sendBudget(serviceBus));
    }

    /** The longest a copy can take, on either namespace, with a margin: a safety net behind the SDK's timeouts. */
    private static Duration sendBudget(ServiceBusSettings serviceBus) {
        Duration longest = serviceBus.namespaces().stream().map(ServiceBusNamespace::sendBudget)
                .max(Duration::compareTo).orElseThrow();
        return longest.plusSeconds(5);
    }

    @BindToRegistry(value = "outbox", lazy = true)
    public Outbox outbox(CamelContext context, @BeanInject("serviceBusSettings") ServiceBusSettings serviceBus,
            @BeanInject("serviceBusCounters") ServiceBusCounters counters,
            @PropertyInject("xregion.servicebus.outbox.enabled") String enabled,
            @PropertyInject("xregion.servicebus.outbox.directory") String directory,
            @PropertyInject("xregion.servicebus.outbox.fsync") String fsync,
            @PropertyInject("xregion.servicebus.outbox.max-messages") String maxMessages,
            @PropertyInject("xregion.servicebus.outbox.backoff.initial-ms") String initialBackoff,
            @PropertyInject("xregion.servicebus.outbox.backoff.max-ms") String maxBackoff,
            @PropertyInject("xregion.servicebus.outbox.batch-messages") String batchMessages) {
        if (!Settings.flag("xregion.servicebus.outbox.enabled", enabled)) {
            return Outbox.disabled();
        }
        Path path = Path.of(Settings.required("xregion.servicebus.outbox.directory", directory));
        Outbox outbox = new Outbox(new FileOutbox(path, Settings.flag("xregion.servicebus.outbox.fsync", fsync)),
                path.resolve("refused"),
                Settings.intNumber("xregion.servicebus.outbox.max-messages", maxMessages, 1, 100_000_000),
                Duration.ofMillis(Settings.number("xregion.servicebus.outbox.backoff.initial-ms", initialBackoff, 1,
                        3_600_000)),
                Duration.ofMillis(Settings.number("xregion.servicebus.outbox.backoff.max-ms", maxBackoff, 1,
                        3_600_000)),
                Settings.intNumber("xregion.servicebus.outbox.batch-messages", batchMessages, 1, 4500),
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
            @PropertyInject("xregion.servicebus.receive.retry.max-retries") String maxRetries,
            @PropertyInject("xregion.servicebus.receive.retry.initial-delay-ms") String initialDelay,
            @PropertyInject("xregion.servicebus.receive.retry.max-delay-ms") String maxDelay,
            @PropertyInject("xregion.servicebus.receive.lock-renewal-ms") String lockRenewal,
            @PropertyInject("xregion.servicebus.dedup.redis.claim-wait-ms") String claimWait) {
        ProcessingRetry retry = new ProcessingRetry(context.createProducerTemplate(),
                Settings.intNumber("xregion.servicebus.receive.retry.max-retries", maxRetries, 0, 100),
                Duration.ofMillis(Settings.number("xregion.servicebus.receive.retry.initial-delay-ms", initialDelay,
                        1, 600_000)),
                Duration.ofMillis(Settings.number("xregion.servicebus.receive.retry.max-delay-ms", maxDelay, 1,
                        600_000)), counters);
        LockRenewal.check(Duration.ofMillis(Settings.number("xregion.servicebus.receive.lock-renewal-ms", lockRenewal,
                10_000, 86_400_000)), Duration.ofMillis(Settings.number("xregion.servicebus.dedup.redis.claim-wait-ms",
                        claimWait, 0, 3_600_000)), retry.pauses());
        return retry;
    }

    @BindToRegistry(value = "receivedMessages", lazy = true)
    public ReceivedMessages receivedMessages(
            @PropertyInject("xregion.webpubsub.broadcast.max-message-bytes") String maxBroadcastBytes) {
        // the default processing broadcasts: what is larger than a broadcast carries is dead-lettered
        return new ReceivedMessages(Settings.intNumber("xregion.webpubsub.broadcast.max-message-bytes",
                maxBroadcastBytes, 1, 1024 * 1024));
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
            @PropertyInject("xregion.servicebus.ready-while-queueing") String readyWhileQueueing) {
        return new ServiceBusReadiness(health, outbox,
                Settings.flag("xregion.servicebus.ready-while-queueing", readyWhileQueueing));
    }
}
