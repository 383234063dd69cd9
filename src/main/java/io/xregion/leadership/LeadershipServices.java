package io.xregion.leadership;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;

/** How each kind of cluster service is made. */
public final class LeadershipServices {

    /** The service's id, which Camel logs and exposes (one per app server, so it is just the kind). */
    static final String FILE_ID = "xregion-file-leadership";
    static final String KUBERNETES_ID = "xregion-kubernetes-leadership";

    private LeadershipServices() {
    }

    /**
     * A lock file per namespace under {@code root}, shared by the replicas of one region on one machine (or one
     * shared volume). The operating system releases the lock when its process dies, even by {@code kill -9}; Camel
     * 4.17's FileLockClusterService also writes a heartbeat the followers check, so all replicas must use the same
     * interval.
     */
    public static FileLockClusterService file(String root, long acquireIntervalMillis) {
        FileLockClusterService service = new FileLockClusterService();
        service.setId(FILE_ID);
        service.setRoot(root);
        // the first try at once: a (re)started app server's failback waits for its leadership
        service.setAcquireLockDelay(1, TimeUnit.MILLISECONDS);
        service.setAcquireLockInterval(acquireIntervalMillis, TimeUnit.MILLISECONDS);
        return service;
    }

    /**
     * A coordination.k8s.io Lease per namespace in the pod's Kubernetes namespace, held by the leader's pod name;
     * the members are the pods with the cluster labels (a leader whose pod is gone loses the lease at once).
     */
    public static KubernetesClusterService kubernetes(LeaseSettings settings) {
        if (settings.renewDeadlineMillis() >= settings.leaseDurationMillis()) {
            throw new IllegalStateException("xregion.leadership.kubernetes.renew-deadline-ms must be shorter than "
                    + "xregion.leadership.kubernetes.lease-duration-ms");
        }
        if (settings.retryPeriodMillis() >= settings.renewDeadlineMillis()) {
            throw new IllegalStateException("xregion.leadership.kubernetes.retry-period-ms must be shorter than "
                    + "xregion.leadership.kubernetes.renew-deadline-ms");
        }
        KubernetesClusterService service = new KubernetesClusterService();
        service.setId(KUBERNETES_ID);
        service.setLeaseResourceType(LeaseResourceType.Lease);
        if (settings.namespace() != null) {
            service.setKubernetesResourcesNamespace(settings.namespace());
        }
        if (settings.podName() != null) {
            service.setPodName(settings.podName());
        }
        service.setClusterLabels(settings.clusterLabels());
        service.setLeaseDurationMillis(settings.leaseDurationMillis());
        service.setRenewDeadlineMillis(settings.renewDeadlineMillis());
        service.setRetryPeriodMillis(settings.retryPeriodMillis());
        return service;
    }

    /**
     * @param namespace the Kubernetes namespace of the Leases, or null for the pod's own
     * @param podName   this replica's identity in the Lease, or null for the pod's host name (its name)
     */
    public record LeaseSettings(String namespace, String podName, Map<String, String> clusterLabels,
            long leaseDurationMillis, long renewDeadlineMillis, long retryPeriodMillis) {
    }
}
