package io.xregion.webpubsub;

import java.time.Clock;
import java.time.Duration;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import io.xregion.config.Settings;
import io.xregion.security.EntraCredentials;

/**
 * The Web PubSub beans the routes use, each from its own settings. A bean that needs settings or other beans is
 * lazy: Camel creates it when a route (or another bean) first looks it up, after XRegionConfiguration has loaded the
 * mounted secrets and prepared the profile, whose settings it may read.
 */
public class WebPubSubConfiguration implements CamelConfiguration {

    @BindToRegistry(value = "appStarted", lazy = true)
    public AppStarted appStarted(CamelContext context) {
        return new AppStarted(context, Duration.ofSeconds(60));
    }

    /** Every Web PubSub setting but the instances', read and checked once. */
    @BindToRegistry(value = "webPubSubSettings", lazy = true)
    public WebPubSubSettings webPubSubSettings(CamelContext context) {
        return WebPubSubSettings.load(Settings.of(context));
    }

    @BindToRegistry(value = "webPubSubInstances", lazy = true)
    public WebPubSubInstances webPubSubInstances(CamelContext context) {
        // the instances' keys are named after them (xregion.webpubsub.<instance>.*): read through Settings
        return WebPubSubInstances.load(Settings.of(context));
    }

    @BindToRegistry(value = "webPubSubHealth", lazy = true)
    public WebPubSubHealth webPubSubHealth(@BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        return new WebPubSubHealth(instances, settings.health().failureThreshold(),
                settings.health().successThreshold(), Clock.systemUTC());
    }

    /** The Entra bearer tokens of the instances whose credential is not key (none: nothing is asked for). */
    @BindToRegistry(value = "webPubSubEntraTokens", lazy = true)
    public WebPubSubEntraTokens webPubSubEntraTokens(@BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("entraCredentials") EntraCredentials credentials) {
        return new WebPubSubEntraTokens(instances, credentials, Clock.systemUTC());
    }

    @BindToRegistry(value = "negotiateCounter", lazy = true)
    public NegotiateCounter negotiateCounter(CamelContext context) {
        return new NegotiateCounter(context);
    }

    @BindToRegistry(value = "webPubSubSigner", lazy = true)
    public RestRequestSigner webPubSubSigner(@BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("webPubSubEntraTokens") WebPubSubEntraTokens entraTokens,
            @BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        return new RestRequestSigner(instances, settings.rest().tokenLifetime(), Clock.systemUTC(), entraTokens);
    }

    /**
     * The instances' REST endpoints. Their URIs name the webPubSubSigner bean, which camel-http looks up at the first
     * call; it is injected here too so that it is made, and its settings checked, at start-up with the endpoints.
     */
    @BindToRegistry(value = "webPubSubRestEndpoints", lazy = true)
    public WebPubSubRestEndpoints webPubSubRestEndpoints(@BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("webPubSubSigner") RestRequestSigner signer,
            @BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        WebPubSubSettings.Rest rest = settings.rest();
        return new WebPubSubRestEndpoints(instances, "webPubSubSigner", rest.connectTimeout().toMillis(),
                rest.responseTimeout().toMillis(), rest.otherInstancesWait().toMillis());
    }

    /**
     * The fan-out's threads: one per call in flight. A call to an instance that stopped answering holds its thread
     * until its response timeout, after the fan-out has moved on, so the pool grows on demand (no queue: a queued call
     * to a healthy instance would wait behind stalled ones) and the instance's own connection pool bounds how many of
     * its calls can hang (camel.component.http.connections-per-route).
     */
    @BindToRegistry(value = "webPubSubFanoutThreads", lazy = true)
    public java.util.concurrent.ExecutorService webPubSubFanoutThreads(CamelContext context) {
        org.apache.camel.spi.ThreadPoolProfile profile = new org.apache.camel.builder.ThreadPoolProfileBuilder(
                "webPubSubFanout").poolSize(8).maxPoolSize(512).maxQueueSize(0)
                .rejectedPolicy(org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy.CallerRuns).build();
        return context.getExecutorServiceManager().newThreadPool(this, "WebPubSubFanout", profile);
    }

    /** The default router; xregion.webpubsub.router may name another bean (see XRegionConfiguration's start-up). */
    @BindToRegistry("webPubSubRouter")
    public PrimaryFirstRouter webPubSubRouter() {
        return new PrimaryFirstRouter();
    }

    @BindToRegistry(value = "webPubSubRouting", lazy = true)
    public WebPubSubRouting webPubSubRouting(@BeanInject("webPubSubHealth") WebPubSubHealth health,
            @BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        long intervalMillis = settings.health().interval().toMillis();
        // a refused negotiate tells clients to come back after about one health interval
        return new WebPubSubRouting(health, instances, (int) Math.max(1, (intervalMillis + 999) / 1000));
    }

    @BindToRegistry(value = "webPubSubRequests", lazy = true)
    public WebPubSubRequests webPubSubRequests(@BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        return new WebPubSubRequests(instances.hub(), settings.failback().reason());
    }

    @BindToRegistry(value = "fanoutCalls", lazy = true)
    public FanoutCalls fanoutCalls(@BeanInject("webPubSubRouting") WebPubSubRouting routing,
            @BeanInject("webPubSubRestEndpoints") WebPubSubRestEndpoints endpoints,
            @BeanInject("fanoutOutcomeCollector") FanoutOutcomeCollector collector,
            @BeanInject("fanoutResults") FanoutResults results,
            @BeanInject("webPubSubFanoutThreads") java.util.concurrent.ExecutorService threads,
            @BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        return new FanoutCalls(routing, endpoints, collector, results, threads,
                settings.rest().otherInstancesWait().toMillis());
    }

    @BindToRegistry(value = "fanoutOutcomeCollector", lazy = true)
    public FanoutOutcomeCollector fanoutOutcomeCollector(
            @BeanInject("webPubSubRestEndpoints") WebPubSubRestEndpoints endpoints) {
        return new FanoutOutcomeCollector(endpoints);
    }

    @BindToRegistry(value = "fanoutResults", lazy = true)
    public FanoutResults fanoutResults(@BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("webPubSubHealth") WebPubSubHealth health) {
        return new FanoutResults(instances, health);
    }

    /** Counts into the meter registry XRegionConfiguration hands it at start-up. */
    @BindToRegistry("fanoutCallCounter")
    public FanoutCallCounter fanoutCallCounter() {
        return new FanoutCallCounter();
    }

    @BindToRegistry(value = "fanoutHealthFeedback", lazy = true)
    public FanoutHealthFeedback fanoutHealthFeedback(@BeanInject("webPubSubHealth") WebPubSubHealth health) {
        return new FanoutHealthFeedback(health);
    }

    @BindToRegistry(value = "homeGroups", lazy = true)
    public HomeGroups homeGroups(@BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        return new HomeGroups(settings.homeGroups().prefix(), instances.primary().name(),
                settings.homeGroups().shards());
    }

    @BindToRegistry(value = "clientAccess", lazy = true)
    public ClientAccess clientAccess(@BeanInject("webPubSubInstances") WebPubSubInstances instances,
            @BeanInject("homeGroups") HomeGroups homeGroups,
            @BeanInject("webPubSubEntraTokens") WebPubSubEntraTokens entraTokens,
            @BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        Duration tokenLifetime = settings.clientTokens().lifetime();
        // instances without a key: client tokens from the service's :generateToken, over the REST timeouts
        GeneratedClientTokens generated = new GeneratedClientTokens(entraTokens, tokenLifetime,
                settings.rest().connectTimeout(), settings.rest().responseTimeout(), Clock.systemUTC());
        return new ClientAccess(instances.hub(), homeGroups, tokenLifetime, settings.clientTokens().roles(),
                Clock.systemUTC(), generated);
    }

    @BindToRegistry(value = "broadcastPayload", lazy = true)
    public BroadcastPayload broadcastPayload(@BeanInject("webPubSubSettings") WebPubSubSettings settings) {
        return new BroadcastPayload(settings.broadcastMaxMessageBytes());
    }

    @BindToRegistry(value = "eventHandlerSecurity", lazy = true)
    public EventHandlerSecurity eventHandlerSecurity(CamelContext context,
            @BeanInject("webPubSubInstances") WebPubSubInstances instances) {
        // the instances' secondary keys are named after them (xregion.webpubsub.<instance>.*): read through Settings
        return EventHandlerSecurity.load(Settings.of(context), instances);
    }

    @BindToRegistry(value = "webPubSubReadiness", lazy = true)
    public WebPubSubReadiness webPubSubReadiness(@BeanInject("webPubSubHealth") WebPubSubHealth health) {
        return new WebPubSubReadiness(health);
    }
}
