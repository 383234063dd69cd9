package io.xregion;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.Registry;

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
 * What xregion shares: the Service Bus components, the HTTP engine, the check of every settings record, and the
 * start-up steps once Camel has started. The beans the routes use are in {@link WebPubSubConfiguration},
 * {@link ServiceBusConfiguration} and the other configuration classes. The order of the whole start is
 * {@link io.xregion.config.StartUp}'s: the settings, the mounted secrets and the profile are ready before any
 * configuration class binds a bean.
 */
public class XRegionConfiguration implements CamelConfiguration {

    /** The beans that read and check each area's settings (the routes' placeholders among them). */
    static final List<String> SETTINGS_RECORDS = List.of("webPubSubSettings", "webPubSubInstances",
            "serviceBusSettings");

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
        // every area's settings, read and checked now: a bad one stops the start naming its key, before any route
        // reads it as a {{placeholder}} (camel-main binds every configuration's beans before it calls any configure())
        for (String record : SETTINGS_RECORDS) {
            context.getRegistry().lookupByName(record);
        }
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
