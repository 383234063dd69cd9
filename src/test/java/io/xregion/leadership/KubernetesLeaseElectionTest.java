package io.xregion.leadership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real Lease election, as the Kubernetes install runs it, against fabric8's Kubernetes API mock in CRUD mode (it
 * keeps the objects and their resource versions, so updates are optimistic as on a real API server): two replicas'
 * cluster services, made by {@link LeadershipServices#kubernetes} with the install's cluster labels, elect one
 * leader, record it in the region's Lease, and the other takes over when the leader's pod is gone.
 */
@Tag("slow")
class KubernetesLeaseElectionTest {

    private static final String NAMESPACE = "xregion";
    private static final String GROUP = "xregion-failback-eastus";
    private static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", "xregion",
            "xregion.io/region", "eastus");
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How many renewals of the Lease by one leader show that the election holds. */
    private static final int RENEWALS = 2;

    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;
    private final Map<String, CamelContext> replicas = new HashMap<>();
    private final Map<String, CamelClusterView> views = new HashMap<>();

    @BeforeEach
    void startApiServer() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = server.createClient();
        // where a pod's client finds its API server (there: the service account's environment and files); here
        // fabric8's own system properties, which the client camel-kubernetes makes reads the same way
        CLIENT_PROPERTIES.forEach((key, value) -> System.setProperty(key, value));
        System.setProperty("kubernetes.master", client.getMasterUrl().toString());
    }

    private static final Map<String, String> CLIENT_PROPERTIES = Map.of("kubernetes.auth.tryKubeConfig", "false",
            "kubernetes.auth.tryServiceAccount", "false", "kubernetes.namespace", NAMESPACE,
            "kubernetes.trust.certificates", "true");

    @AfterEach
    void stop() {
        replicas.values().forEach(CamelContext::stop);
        CLIENT_PROPERTIES.keySet().forEach(System::clearProperty);
        System.clearProperty("kubernetes.master");
        client.close();
        server.destroy();
    }

    private void pod(String name) {
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(NAMESPACE).withLabels(LABELS).endMetadata().withNewStatus().withPhase("Running")
                // Camel counts only running and ready pods as members
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName("xregion").withReady(true).withNewState().withNewRunning()
                .endRunning().endState().endContainerStatus()
                .endStatus().build()).create();
    }

    private void replica(String pod) throws Exception {
        pod(pod);
        KubernetesClusterService service = LeadershipServices.kubernetes(new LeadershipServices.LeaseSettings(
                NAMESPACE, pod, LABELS, 3_000, 2_000, 200));
        CamelContext context = new DefaultCamelContext();
        context.addService(service, true, true);
        context.start();
        views.put(pod, service.getView(GROUP));
        replicas.put(pod, context);
    }

    private List<String> leaders() {
        List<String> leaders = new ArrayList<>();
        views.forEach((pod, view) -> {
            if (replicas.get(pod).isStarted() && view.getLocalMember().isLeader()) {
                leaders.add(pod);
            }
        });
        return leaders;
    }

    private Lease lease() {
        return client.leases().inNamespace(NAMESPACE).withName("leaders-" + GROUP).get();
    }

    private String holder() {
        Lease lease = lease();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void twoReplicasElectOneLeaderInTheRegionsLeaseAndTheOtherTakesOver() throws Exception {
        replica("xregion-0");
        replica("xregion-1");
        Awaitility.await().atMost(WAIT).until(() -> leaders().size() == 1);
        String leader = leaders().get(0);
        assertEquals(leader, holder(), "the Lease names the leader's pod");
        // the election holds: the leader renews the Lease (its renewTime moves on) again and again, and at every look
        // meanwhile it is the only leader, the Lease's holder, and no transition is recorded
        Integer transitions = lease().getSpec().getLeaseTransitions();
        Set<String> renewals = new LinkedHashSet<>();
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            Lease lease = lease();
            assertEquals(List.of(leader), leaders(), "one leader, the same");
            assertEquals(leader, lease.getSpec().getHolderIdentity(), "the Lease names it");
            assertEquals(transitions, lease.getSpec().getLeaseTransitions(), "no transition");
            renewals.add(String.valueOf(lease.getSpec().getRenewTime()));
            return renewals.size() >= RENEWALS + 1;
        });
        System.out.println("the leader renewed the Lease at " + renewals);

        // the leader's pod is gone (killed, its process with it): the other replica takes the Lease
        String other = leader.equals("xregion-0") ? "xregion-1" : "xregion-0";
        replicas.get(leader).stop();
        client.pods().inNamespace(NAMESPACE).withName(leader).delete();
        Awaitility.await().atMost(WAIT).until(() -> leaders().equals(List.of(other)));
        Awaitility.await().atMost(WAIT).until(() -> other.equals(holder()));
        assertNotNull(client.leases().inNamespace(NAMESPACE).withName("leaders-" + GROUP).get());
    }
}
