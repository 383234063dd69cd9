package io.xregion;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.Registry;

import io.xregion.config.MountedSecrets;
import io.xregion.config.ProfileSetup;
import io.xregion.config.Settings;
import io.xregion.http.ApiErrors;
import io.xregion.http.ApiFallback;
import io.xregion.http.ServerPortHttpEngine;
import io.xregion.servicebus.ServiceBusBeans;
import io.xregion.servicebus.ServiceBusMetrics;
import io.xregion.webpubsub.BroadcastPayload;
import io.xregion.webpubsub.ClientAccess;
import io.xregion.webpubsub.EventHandlerSecurity;
import io.xregion.webpubsub.FanoutCallCounter;
import io.xregion.webpubsub.FanoutHealthFeedback;
import io.xregion.webpubsub.FanoutOutcomeCollector;
import io.xregion.webpubsub.FanoutResults;
import io.xregion.webpubsub.HomeGroups;
import io.xregion.webpubsub.PrimaryFirstRouter;
import io.xregion.webpubsub.RestRequestSigner;
import io.xregion.webpubsub.WebPubSubHealth;
import io.xregion.webpubsub.WebPubSubInstances;
import io.xregion.webpubsub.WebPubSubMetrics;
import io.xregion.webpubsub.WebPubSubReadiness;
import io.xregion.webpubsub.WebPubSubRequests;
import io.xregion.webpubsub.WebPubSubRestEndpoints;
import io.xregion.webpubsub.WebPubSubRouting;

/** The beans the routes use, built from application.properties (and the environment, which overrides it). */
public class XRegionConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        settings.optional("xregion.secrets.directory")
                .ifPresent(directory -> MountedSecrets.load(context.getPropertiesComponent(), Path.of(directory)));
        List<ProfileSetup> setups = ServiceLoader.load(ProfileSetup.class).stream().map(ServiceLoader.Provider::get)
                .toList();
        if (settings.devProfile() && setups.isEmpty()) {
            throw new IllegalStateException("The dev profile starts an embedded local Azure, which this jar does not "
                    + "hold (the runner jar is production only): run it with camel.main.profile=prod "
                    + "(CAMEL_MAIN_PROFILE=prod), or run the dev profile from the source tree (mvn compile camel:run)");
        }
        for (ProfileSetup setup : setups) {
            setup.prepare(context, settings);
        }
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();

        WebPubSubInstances instances = WebPubSubInstances.load(settings);
        WebPubSubHealth health = new WebPubSubHealth(instances,
                (int) settings.number("xregion.webpubsub.health.failure-threshold", 1, 100),
                (int) settings.number("xregion.webpubsub.health.success-threshold", 1, 100), clock);
        WebPubSubRestEndpoints endpoints = new WebPubSubRestEndpoints(instances, "webPubSubSigner",
                settings.number("xregion.webpubsub.rest.connect-timeout-ms", 1, 600_000),
                settings.number("xregion.webpubsub.rest.response-timeout-ms", 1, 600_000));
        HomeGroups homeGroups = new HomeGroups(settings.required("xregion.webpubsub.home-groups.prefix"),
                instances.primary().name(), (int) settings.number("xregion.webpubsub.home-groups.shards", 1, 1000));

        registry.bind("webPubSubInstances", instances);
        registry.bind("webPubSubHealth", health);
        registry.bind("webPubSubSigner", new RestRequestSigner(instances,
                Duration.ofSeconds(settings.number("xregion.webpubsub.rest.token-lifetime-seconds", 60, 86_400)),
                clock));
        registry.bind("webPubSubRestEndpoints", endpoints);
        long interval = settings.number("xregion.webpubsub.health.interval-ms", 100, 3_600_000);
        registry.bind("webPubSubRouter", new PrimaryFirstRouter());
        String routerName = settings.required(WebPubSubRouting.ROUTER_PROPERTY);
        WebPubSubRouting routing = new WebPubSubRouting(health, (int) Math.max(1, (interval + 999) / 1000));
        registry.bind("webPubSubRouting", routing);
        registry.bind("webPubSubRequests", new WebPubSubRequests(instances.hub(),
                settings.required("xregion.webpubsub.failback.reason")));
        registry.bind("fanoutOutcomeCollector", new FanoutOutcomeCollector(endpoints));
        registry.bind("fanoutResults", new FanoutResults(instances, health));
        FanoutCallCounter fanoutCallCounter = new FanoutCallCounter();
        registry.bind("fanoutCallCounter", fanoutCallCounter);
        registry.bind("fanoutHealthFeedback", new FanoutHealthFeedback(health));
        registry.bind("homeGroups", homeGroups);
        registry.bind("clientAccess", new ClientAccess(instances.hub(), homeGroups,
                Duration.ofSeconds(settings.number("xregion.webpubsub.client-token.lifetime-seconds", 60, 86_400)),
                settings.list("xregion.webpubsub.client-token.roles"), clock));
        registry.bind("broadcastPayload", new BroadcastPayload(
                (int) settings.number("xregion.webpubsub.broadcast.max-message-bytes", 1, 1024 * 1024)));
        registry.bind("eventHandlerSecurity", EventHandlerSecurity.load(settings, instances));
        registry.bind("apiErrors", new ApiErrors());
        registry.bind("webPubSubReadiness", new WebPubSubReadiness(health));

        ServiceBusBeans serviceBus = ServiceBusBeans.bind(context, settings, clock);

        ServerPortHttpEngine httpEngine = new ServerPortHttpEngine(context);
        registry.bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, PlatformHttpEngine.class, httpEngine);
        context.addStartupListener((camel, alreadyStarted) -> {
            if (alreadyStarted) {
                // called again for routes added later; the server was set up the first time
                return;
            }
            // looked up now, not in configure: the user's own router may be bound after this configuration ran
            routing.use(routerName, camel.getRegistry());
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel,
                    VertxPlatformHttpRouter.getRouterNameFromPort(httpEngine.getServerPort()));
            if (router != null) {
                ApiFallback.install(router, camel.hasService(MainHttpServer.class));
            }
            MeterRegistry meters = camel.getRegistry().findSingleByType(MeterRegistry.class);
            if (meters != null) {
                WebPubSubMetrics.register(meters, instances, health);
                fanoutCallCounter.meterRegistry(meters);
                ServiceBusMetrics.register(meters, serviceBus.health(), serviceBus.outbox());
            }
        });
    }
}
