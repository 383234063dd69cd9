package io.xregion.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings a test starts the app with (overrides of application.properties), from the few sets the tests share,
 * each written once here: {@code TestSettings.dev().fastHealth(500, 500).topic().quickOutbox(dir).build()}. Later
 * calls override earlier ones, so a test states what it changes after the set it starts from.
 */
public final class TestSettings {

    private final Map<String, String> settings = new LinkedHashMap<>();
    private final boolean production;

    private TestSettings(boolean production) {
        this.production = production;
    }

    /** Nothing but application.properties: the dev profile, its embedded local Azure. */
    public static TestSettings dev() {
        return new TestSettings(false);
    }

    /**
     * The production profile with what a deployment would take from its environment: the connection strings of the
     * test's own local Azure, the topic, and negotiate open to any user as often as asked (most tests negotiate for
     * users they name, many times a second).
     */
    public static TestSettings production(ExternalServices services) {
        return new TestSettings(true)
                .with(RunningApp.PROFILE, "prod")
                .with("xregion.webpubsub.eastus.connection-string", services.eastWebPubSub.connectionString())
                .with("xregion.webpubsub.westus.connection-string", services.westWebPubSub.connectionString())
                .with("xregion.servicebus.eastus.connection-string", services.eastServiceBus.connectionString())
                .with("xregion.servicebus.westus.connection-string", services.westServiceBus.connectionString())
                .topic()
                .with("xregion.webpubsub.negotiate.allow-anonymous", "true")
                .with("xregion.webpubsub.negotiate.rate-limit.per-address", "0")
                .with("xregion.webpubsub.negotiate.rate-limit.per-user", "0");
    }

    /**
     * Web PubSub health for failover tests: a probe every {@code intervalMillis} that times out after
     * {@code timeoutMillis}, thresholds 2/2, a failed probe confirmed 50 ms later.
     */
    public TestSettings fastHealth(int intervalMillis, int timeoutMillis) {
        return with("xregion.webpubsub.health.interval-ms", Integer.toString(intervalMillis))
                .with("xregion.webpubsub.health.timeout-ms", Integer.toString(timeoutMillis))
                .with("xregion.webpubsub.health.confirm-delay-ms", "50")
                .with("xregion.webpubsub.health.failure-threshold", "2")
                .with("xregion.webpubsub.health.success-threshold", "2");
    }

    /**
     * The topic {@code events} with the app's subscription {@code xregion}, and the tests' own {@code audit}
     * (AuditSubscription reads what was sent without taking it from the app): made by the dev profile when asked
     * here, by ExternalServices for the production profile.
     */
    public TestSettings topic() {
        with("xregion.servicebus.entity", "events")
                .with("xregion.servicebus.entity-type", "topic")
                .with("xregion.servicebus.subscription", "xregion");
        return production ? this : with("xregion.dev.servicebus.extra-subscriptions", "audit");
    }

    /**
     * A send budget of one 1 s try, and an outbox in that directory that polls every 100 ms and backs off from 200 ms
     * to 1 s: a lost namespace is given up on, and a message drained, within a test's patience.
     */
    public TestSettings quickOutbox(Path directory) {
        return with("xregion.servicebus.send.try-timeout-ms", "1000")
                .with("xregion.servicebus.send.max-retries", "0")
                .with("xregion.servicebus.outbox.directory", directory.toString())
                .with("xregion.servicebus.outbox.poll-ms", "100")
                .with("xregion.servicebus.outbox.backoff.initial-ms", "200")
                .with("xregion.servicebus.outbox.backoff.max-ms", "1000");
    }

    /** The namespaces' reachability probe every 300 ms, timing out after 200 ms. */
    public TestSettings quickNamespaceProbe() {
        return with("xregion.servicebus.health.interval-ms", "300")
                .with("xregion.servicebus.health.timeout-ms", "200");
    }

    /**
     * The set for Service Bus fault runs: fast Web PubSub health (500/500), the topic, a quick outbox in that directory
     * and a quick namespace probe.
     */
    public TestSettings serviceBusFaultRun(Path outboxDirectory) {
        return fastHealth(500, 500).topic().quickOutbox(outboxDirectory).quickNamespaceProbe();
    }

    /** The redis duplicate store on that server, claims made as {@code owner} (the app server's name). */
    public TestSettings redisStore(RedisServer redis, String owner) {
        return with("xregion.servicebus.dedup.store", "redis")
                .with("xregion.servicebus.dedup.redis.endpoints", redis.url())
                .with("xregion.servicebus.dedup.redis.owner", owner);
    }

    public TestSettings with(String key, String value) {
        settings.put(key, value);
        return this;
    }

    public TestSettings with(Map<String, String> more) {
        settings.putAll(more);
        return this;
    }

    /** A copy the test may change further. */
    public Map<String, String> build() {
        return new LinkedHashMap<>(settings);
    }
}
