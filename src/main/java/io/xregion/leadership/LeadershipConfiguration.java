package io.xregion.leadership;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;

import io.xregion.config.Settings;

/**
 * The cluster service that elects one failback leader among the replicas of a region's app server
 * ({@code xregion.leadership.*}): a file lock locally and in tests, a Kubernetes Lease on Kubernetes. The failback
 * route consumes through camel-master on the namespace {@code xregion.webpubsub.failback.leadership-namespace}, so it
 * runs on the leader only.
 */
public class LeadershipConfiguration implements CamelConfiguration {

    /**
     * camel-main 4.17 adds the cluster services it finds in the registry to the context only after the routes are
     * created, while the master component looks for one as soon as a route names it ("No cluster service found"):
     * so it is added here, right after the beans are bound.
     */
    @Override
    public void configure(CamelContext context) throws Exception {
        CamelClusterService service = context.getRegistry().lookupByNameAndType("leadershipService",
                CamelClusterService.class);
        context.addService(service, true, true);
        String namespace = context.resolvePropertyPlaceholders("{{xregion.webpubsub.failback.leadership-namespace}}");
        context.addStartupListener((camel, alreadyStarted) -> {
            MeterRegistry meters = camel.getRegistry().findSingleByType(MeterRegistry.class);
            if (!alreadyStarted && meters != null) {
                LeadershipMetrics.register(meters, service, namespace);
            }
        });
    }

    @BindToRegistry("leadershipService")
    public CamelClusterService leadershipService(CamelContext context) {
        Settings settings = Settings.of(context);
        String service = settings.required("xregion.leadership.service");
        return switch (service) {
            case "file" -> LeadershipServices.file(settings.required("xregion.leadership.file.root"),
                    settings.number("xregion.leadership.file.acquire-interval-ms", 100, 600_000));
            case "kubernetes" -> LeadershipServices.kubernetes(new LeadershipServices.LeaseSettings(
                    settings.optional("xregion.leadership.kubernetes.namespace").orElse(null),
                    settings.optional("xregion.leadership.kubernetes.pod-name").orElse(null),
                    LeadershipSettings.labels("xregion.leadership.kubernetes.cluster-labels",
                            settings.optional("xregion.leadership.kubernetes.cluster-labels").orElse("")),
                    settings.number("xregion.leadership.kubernetes.lease-duration-ms", 1_000, 600_000),
                    settings.number("xregion.leadership.kubernetes.renew-deadline-ms", 500, 600_000),
                    settings.number("xregion.leadership.kubernetes.retry-period-ms", 100, 600_000)));
            default -> throw new IllegalStateException("xregion.leadership.service must be file or kubernetes, not '"
                    + service + "'");
        };
    }
}
