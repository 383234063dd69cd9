package io.xregion.leadership;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.cluster.CamelClusterService;

import io.xregion.observe.XregionMeter;

/** Which replica leads: {@code xregion.webpubsub.failback.leader}, 1 on the failback leader, 0 on the others. */
final class LeadershipMetrics {

    private LeadershipMetrics() {
    }

    static void register(MeterRegistry registry, CamelClusterService service, String namespace) {
        XregionMeter.WEBPUBSUB_FAILBACK_LEADER.gauge(registry, service, s -> leads(s, namespace) ? 1 : 0,
                "namespace", namespace);
    }

    private static boolean leads(CamelClusterService service, String namespace) {
        try {
            return service.getView(namespace).getLocalMember().isLeader();
        } catch (Exception e) {
            // no view yet (the service is starting or stopping): not the leader
            return false;
        }
    }
}
