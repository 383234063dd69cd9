package io.xregion.deploy;

import static io.xregion.deploy.Manifests.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import io.xregion.config.Settings;
import io.xregion.security.AzureCredential;
import io.xregion.servicebus.ServiceBusSettings;
import io.xregion.webpubsub.WebPubSubInstance;
import io.xregion.webpubsub.WebPubSubInstances;

/**
 * The workload-identity variants (k8s/overlays/eastus-workload-identity, k8s/camel-k/eastus-workload-identity) as
 * kubectl renders them: pods labelled {@code azure.workload.identity/use: "true"} running as a service account
 * annotated with the identity's client id, no connection string or Secret, and an environment from which xregion
 * loads every instance and namespace on workload identity.
 */
class WorkloadIdentityManifestsTest {

    private static final String USE = "azure.workload.identity/use";
    private static final String CLIENT_ID = "azure.workload.identity/client-id";

    @Test
    void thePlainInstallRunsAsTheAnnotatedServiceAccountWithoutKeys() {
        List<Map<String, Object>> documents = Manifests.kustomize(Manifests.K8S.resolve(
                "overlays/eastus-workload-identity"));
        Map<String, Object> serviceAccount = Manifests.only(documents, "ServiceAccount");
        assertNotNull(at(serviceAccount, "metadata", "annotations", CLIENT_ID));
        Map<String, Object> workload = documents.stream()
                .filter(d -> List.of("Deployment", "StatefulSet").contains(d.get("kind"))).findFirst().orElseThrow();
        assertEquals("true", at(workload, "spec", "template", "metadata", "labels", USE));
        String account = at(serviceAccount, "metadata", "name");
        assertEquals(account, at(workload, "spec", "template", "spec", "serviceAccountName"));
        Map<String, String> env = Manifests.environment(Manifests.container(workload));
        assertFalse(env.values().stream().anyMatch(v -> v.startsWith("secret:")), env.toString());
        assertEveryInstanceAndNamespaceOnWorkloadIdentity(env);

        // the component's patch of the pod template keeps the region's hardening: the generated ConfigMap, the
        // spread and a disruption budget over exactly these pods
        assertEquals(configMapName(documents), configMapVolume(at(workload, "spec", "template", "spec", "volumes")));
        List<Map<String, Object>> spread = at(workload, "spec", "template", "spec", "topologySpreadConstraints");
        assertEquals(2, spread.size(), spread.toString());
        assertEquals((Map<String, String>) at(workload, "spec", "selector", "matchLabels"),
                at(Manifests.only(documents, "PodDisruptionBudget"), "spec", "selector", "matchLabels"));
    }

    private static String configMapName(List<Map<String, Object>> documents) {
        return at(Manifests.only(documents, "ConfigMap"), "metadata", "name");
    }

    private static String configMapVolume(List<Map<String, Object>> volumes) {
        return volumes.stream().filter(v -> "config".equals(v.get("name")))
                .map(v -> (String) at(v, "configMap", "name")).findFirst()
                .orElseThrow(() -> new AssertionError("no config volume"));
    }

    @Test
    void theCamelKIntegrationRunsAsTheAnnotatedServiceAccountWithoutKeys() {
        List<Map<String, Object>> documents = Manifests.kustomize(Manifests.K8S.resolve(
                "camel-k/eastus-workload-identity"));
        Map<String, Object> serviceAccount = Manifests.only(documents, "ServiceAccount");
        assertNotNull(at(serviceAccount, "metadata", "annotations", CLIENT_ID));
        Map<String, Object> integration = Manifests.only(documents, "Integration");
        String account = at(serviceAccount, "metadata", "name");
        assertEquals(account, at(integration, "spec", "serviceAccountName"));
        assertEquals("true", at(integration, "metadata", "labels", USE));
        List<String> copiedToPods = at(integration, "spec", "traits", "owner", "targetLabels");
        assertTrue(copiedToPods.contains(USE), copiedToPods.toString());
        List<String> vars = at(integration, "spec", "traits", "environment", "vars");
        Map<String, String> env = new LinkedHashMap<>();
        vars.forEach(v -> env.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1)));
        assertFalse(env.values().stream().anyMatch(v -> v.startsWith("secret:")), env.toString());
        assertEveryInstanceAndNamespaceOnWorkloadIdentity(env);
        assertEquals(configMapName(documents), configMapVolume(at(integration, "spec", "template", "spec",
                "volumes")));
    }

    /** application.properties with this environment on top loads every instance and namespace on Entra ID. */
    private static void assertEveryInstanceAndNamespaceOnWorkloadIdentity(Map<String, String> env) {
        assertFalse(env.keySet().stream().anyMatch(k -> k.endsWith("_CONNECTION_STRING")), env.toString());
        Properties properties = Manifests.applicationProperties();
        List<String> keys = new java.util.ArrayList<>();
        for (String instance : properties.getProperty("xregion.webpubsub.instances").split(",")) {
            keys.add(WebPubSubInstances.credentialKey(instance.trim()));
            keys.add(WebPubSubInstances.endpointKey(instance.trim()));
        }
        keys.add("xregion.webpubsub.primary");
        keys.add("xregion.servicebus.primary");
        keys.add("xregion.servicebus.secondary");
        for (String namespace : List.of("eastus", "westus")) {
            keys.add(ServiceBusSettings.credentialKey(namespace));
            keys.add(ServiceBusSettings.fullyQualifiedNamespaceKey(namespace));
        }
        for (String key : keys) {
            String value = env.get(Manifests.environmentName(key));
            if (value != null) {
                properties.setProperty(key, value);
            }
        }
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(properties);
        Settings settings = new Settings(context.getPropertiesComponent(), "prod");
        for (WebPubSubInstance instance : WebPubSubInstances.load(settings).all()) {
            assertEquals(AzureCredential.WORKLOAD_IDENTITY, instance.credential(), instance.toString());
        }
        ServiceBusSettings.load(settings).namespaces().forEach(namespace -> assertEquals(
                AzureCredential.WORKLOAD_IDENTITY, namespace.credential(), namespace.toString()));
    }
}
