package io.xregion.status;

import java.time.Clock;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.config.Settings;
import io.xregion.health.HealthChanges;
import io.xregion.servicebus.NamespaceHealth;
import io.xregion.servicebus.Outbox;
import io.xregion.servicebus.PassiveRoles;
import io.xregion.servicebus.ServiceBusSettings;
import io.xregion.webpubsub.WebPubSubHealth;
import io.xregion.webpubsub.WebPubSubInstances;

/**
 * The status page ({@code xregion.status.*}): the recent health changes the health routes record, and the page
 * itself on the management server once it is up.
 */
public class StatusConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StatusConfiguration.class);

    @BindToRegistry(value = "healthChanges", lazy = true)
    public HealthChanges healthChanges(CamelContext context) {
        return new HealthChanges((int) Settings.of(context).number("xregion.status.recent-changes", 1, 10_000),
                Clock.systemUTC());
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        long refreshMillis = Settings.of(context).number("xregion.status.refresh-ms", 200, 60_000);
        context.addStartupListener((camel, alreadyStarted) -> {
            if (!alreadyStarted) {
                install(camel, refreshMillis);
            }
        });
    }

    private static void install(CamelContext camel, long refreshMillis) {
        ManagementHttpServer management = camel.hasService(ManagementHttpServer.class);
        if (management == null || management.getRouter() == null) {
            LOG.info("No management server (camel.management.enabled): no status page");
            return;
        }
        Registry registry = camel.getRegistry();
        StatusReport report = new StatusReport(camel,
                registry.lookupByNameAndType("webPubSubInstances", WebPubSubInstances.class),
                registry.lookupByNameAndType("webPubSubHealth", WebPubSubHealth.class),
                registry.lookupByNameAndType("serviceBusSettings", ServiceBusSettings.class),
                registry.lookupByNameAndType("namespaceHealth", NamespaceHealth.class),
                registry.lookupByNameAndType("passiveRoles", PassiveRoles.class),
                registry.lookupByNameAndType(camel.resolvePropertyPlaceholders(
                        "{{xregion.servicebus.dedup.repository}}"), IdempotentRepository.class),
                new StatusReport.Leadership(
                        registry.lookupByNameAndType("leadershipService", CamelClusterService.class),
                        camel.resolvePropertyPlaceholders("{{xregion.leadership.service}}").trim(),
                        camel.resolvePropertyPlaceholders("{{xregion.webpubsub.failback.leadership-namespace}}")),
                registry.lookupByNameAndType("outbox", Outbox.class),
                registry.lookupByNameAndType("healthChanges", HealthChanges.class),
                refreshMillis, Clock.systemUTC());
        StatusPage.install(management.getRouter(), report);
        LOG.info("Status page on management port {} at {} (JSON: {}.json)", management.getPort(), StatusPage.PATH,
                StatusPage.PATH);
    }
}
