package io.xregion;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BindToRegistry;
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
import io.xregion.servicebus.NamespaceHealth;
import io.xregion.servicebus.Outbox;
import io.xregion.servicebus.ServiceBusConfiguration;
import io.xregion.servicebus.ServiceBusMetrics;
import io.xregion.webpubsub.FanoutCallCounter;
import io.xregion.webpubsub.NegotiateCounter;
import io.xregion.webpubsub.WebPubSubConfiguration;
import io.xregion.webpubsub.WebPubSubHealth;
import io.xregion.webpubsub.WebPubSubInstances;
import io.xregion.webpubsub.WebPubSubMetrics;
import io.xregion.webpubsub.WebPubSubRouting;

/**
 * What xregion shares, and what runs before its beans are made: the mounted secrets, the profile's setup, the
 * Service Bus components, the HTTP engine and the start-up steps. The beans the routes use are in
 * {@link WebPubSubConfiguration} and {@link ServiceBusConfiguration}; they are lazy, so they read their settings
 * (application.properties, the environment, which overrides it, and the mounted secrets) only once this has run.
 */
public class XRegionConfiguration implements CamelConfiguration {

    /**
     * The JSON error body of every HTTP route (http-api.camel.yaml); negotiate's refusals are counted by reason
     * ({@code xregion.webpubsub.negotiate.refused}).
     */
    @BindToRegistry("apiErrors")
    public ApiErrors apiErrors() {
        return new ApiErrors((exchange, refusal) -> {
            if (NegotiateCounter.ROUTE_ID.equals(exchange.getFromRouteId())) {
                exchange.getContext().getRegistry().lookupByNameAndType("negotiateCounter", NegotiateCounter.class)
                        .refused(refusal);
            }
        });
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        // first: both set settings the beans read (the mounted secrets, the dev profile's connection strings)
        settings.optional("xregion.secrets.directory")
                .ifPresent(directory -> MountedSecrets.load(context.getPropertiesComponent(), Path.of(directory)));
        prepareProfile(context, settings);

        // looks up Service Bus beans: camel-main binds every configuration's beans before it calls any configure()
        ServiceBusConfiguration.addComponents(context);
        ServerPortHttpEngine httpEngine = new ServerPortHttpEngine(context);
        context.getRegistry().bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, PlatformHttpEngine.class,
                httpEngine);
        String routerName = settings.required(WebPubSubRouting.ROUTER_PROPERTY);
        context.addStartupListener((camel, alreadyStarted) -> {
            if (!alreadyStarted) {
                // not for routes added later: the server was set up the first time
                started(camel, httpEngine, routerName);
            }
        });
    }

    private static void prepareProfile(CamelContext context, Settings settings) throws Exception {
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
    }

    /** Once every bean is bound, the user's own included, and the HTTP server is up. */
    private static void started(CamelContext camel, ServerPortHttpEngine httpEngine, String routerName) {
        Registry registry = camel.getRegistry();
        registry.lookupByNameAndType("webPubSubRouting", WebPubSubRouting.class).use(routerName, registry);
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel,
                VertxPlatformHttpRouter.getRouterNameFromPort(httpEngine.getServerPort()));
        if (router != null) {
            ApiFallback.install(router, camel.hasService(MainHttpServer.class));
        }
        MeterRegistry meters = registry.findSingleByType(MeterRegistry.class);
        if (meters != null) {
            WebPubSubMetrics.register(meters, registry.lookupByNameAndType("webPubSubInstances",
                    WebPubSubInstances.class), registry.lookupByNameAndType("webPubSubHealth", WebPubSubHealth.class));
            registry.lookupByNameAndType("fanoutCallCounter", FanoutCallCounter.class).meterRegistry(meters);
            ServiceBusMetrics.register(meters, registry.lookupByNameAndType("namespaceHealth", NamespaceHealth.class),
                    registry.lookupByNameAndType("outbox", Outbox.class));
        }
    }
}
