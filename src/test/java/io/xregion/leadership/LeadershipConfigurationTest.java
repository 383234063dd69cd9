package io.xregion.leadership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

/**
 * The cluster service application.properties makes, bound the way camel-main binds it (@BindToRegistry with
 * @PropertyInject, read from the real file with overrides as the environment gives them): the Kubernetes one checked
 * without a cluster (nothing is started), by type and by its lease settings.
 */
class LeadershipConfigurationTest {

    private static CamelClusterService bound(Map<String, String> overrides) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:application.properties");
            Properties properties = new Properties();
            properties.putAll(overrides);
            context.getPropertiesComponent().setOverrideProperties(properties);
            PluginHelper.getBeanPostProcessor(context).postProcessBeforeInitialization(new LeadershipConfiguration(), "leadershipConfiguration");
            return context.getRegistry().lookupByNameAndType("leadershipService", CamelClusterService.class);
        }
    }

    @Test
    void kubernetesIsALeaseElectionAmongThisRegionsPods() throws Exception {
        // what k8s/overlays/eastus sets (DeploymentManifestsTest checks the manifests carry these variables)
        CamelClusterService service = bound(Map.of("xregion.leadership.service", "kubernetes",
                "xregion.webpubsub.primary", "eastus", "xregion.leadership.kubernetes.pod-name", "xregion-1"));
        KubernetesClusterService kubernetes = assertInstanceOf(KubernetesClusterService.class, service);
        assertEquals(LeaseResourceType.Lease, kubernetes.getLeaseResourceType());
        assertEquals(15_000, kubernetes.getLeaseDurationMillis());
        assertEquals(10_000, kubernetes.getRenewDeadlineMillis());
        assertEquals(2_000, kubernetes.getRetryPeriodMillis());
        assertEquals(Map.of("app.kubernetes.io/name", "xregion", "xregion.io/region", "eastus"),
                kubernetes.getClusterLabels());
        assertEquals("xregion-1", kubernetes.getPodName());
        assertNull(kubernetes.getKubernetesResourcesNamespace(), "empty: the pod's own namespace");
    }

    @Test
    void fileIsTheDefaultALockFileUnderTheRoot() throws Exception {
        FileLockClusterService file = assertInstanceOf(FileLockClusterService.class, bound(Map.of()));
        assertEquals("data/leadership", file.getRoot());
        assertEquals(1000, TimeUnit.MILLISECONDS.convert(file.getAcquireLockInterval(),
                file.getAcquireLockIntervalUnit()));
    }

    @Test
    void badSettingsAreNamed() {
        Exception unknown = assertThrows(Exception.class, () -> bound(Map.of("xregion.leadership.service", "zk")));
        assertTrue(messages(unknown).contains("xregion.leadership.service must be file or kubernetes, not 'zk'"), messages(unknown));
        Exception lease = assertThrows(Exception.class, () -> bound(Map.of("xregion.leadership.service", "kubernetes",
                "xregion.leadership.kubernetes.renew-deadline-ms", "20000")));
        assertTrue(messages(lease).contains("xregion.leadership.kubernetes.renew-deadline-ms must be shorter than "
                + "xregion.leadership.kubernetes.lease-duration-ms"),
                messages(lease));
        Exception labels = assertThrows(Exception.class, () -> bound(Map.of("xregion.leadership.service",
                "kubernetes", "xregion.leadership.kubernetes.cluster-labels", "app=")));
        assertTrue(messages(labels).contains("xregion.leadership.kubernetes.cluster-labels must be name=value"),
                messages(labels));
        Exception interval = assertThrows(Exception.class, () -> bound(Map.of(
                "xregion.leadership.file.acquire-interval-ms", "10")));
        assertTrue(messages(interval).contains("xregion.leadership.file.acquire-interval-ms must be between 100 and 600000"),
                messages(interval));
    }

    private static String messages(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable e = error; e != null; e = e.getCause()) {
            all.append(e.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
