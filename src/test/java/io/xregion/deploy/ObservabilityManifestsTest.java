package io.xregion.deploy;

import static io.xregion.deploy.Manifests.at;
import static io.xregion.deploy.Manifests.container;
import static io.xregion.deploy.Manifests.containerPort;
import static io.xregion.deploy.Manifests.only;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xregion.observability.ObservabilityFiles;
import org.junit.jupiter.api.Test;

/**
 * k8s/observability as kustomize renders it for the Prometheus Operator and Grafana's sidecar: the PrometheusRule with
 * the plain file's rules, a PodMonitor that scrapes the port and path the StatefulSet serves its meters on and keeps
 * xregion's own labels, and the dashboard's ConfigMap holding the dashboard file as it is.
 */
class ObservabilityManifestsTest {

    private final List<Map<String, Object>> rendered = Manifests.kustomize(Manifests.K8S.resolve("observability"));

    @Test
    void rendersTheRulesTheScrapeAndTheDashboard() {
        assertEquals(Set.of("PrometheusRule", "PodMonitor", "ConfigMap"),
                rendered.stream().map(r -> (String) r.get("kind")).collect(Collectors.toSet()));
        assertEquals(ObservabilityFiles.ruleGroups(), at(only(rendered, "PrometheusRule"), "spec", "groups"),
                "the rendered PrometheusRule holds the plain rules file's groups");
    }

    @Test
    void podMonitorScrapesWhereTheStatefulSetServesMetrics() {
        Map<String, Object> statefulSet = only(Manifests.rendered("eastus"), "StatefulSet");
        Map<String, Object> podMonitor = only(rendered, "PodMonitor");
        Map<String, Object> endpoint = at(podMonitor, "spec", "podMetricsEndpoints", 0);
        containerPort(container(statefulSet), (String) endpoint.get("port"));
        assertEquals(at(statefulSet, "spec", "template", "metadata", "annotations", "prometheus.io/path"),
                endpoint.get("path"));
        assertEquals(Integer.toString(containerPort(container(statefulSet), (String) endpoint.get("port"))),
                at(statefulSet, "spec", "template", "metadata", "annotations", "prometheus.io/port"));
        assertEquals(true, endpoint.get("honorLabels"), "xregion's instance and namespace labels kept");
        Map<String, Object> podLabels = at(statefulSet, "spec", "template", "metadata", "labels");
        Map<String, Object> selector = at(podMonitor, "spec", "selector", "matchLabels");
        selector.forEach((key, value) -> assertEquals(value, podLabels.get(key), "the pods carry " + key));
    }

    @Test
    void dashboardConfigMapHoldsTheDashboardForGrafanasSidecar() throws Exception {
        Map<String, Object> configMap = only(rendered, "ConfigMap");
        assertEquals("xregion-dashboard", at(configMap, "metadata", "name"), "a fixed name, replaced in place");
        assertEquals("1", at(configMap, "metadata", "labels", "grafana_dashboard"));
        ObjectMapper json = new ObjectMapper();
        assertEquals(ObservabilityFiles.dashboard(), json.readTree((String) at(configMap, "data", "xregion.json")));
    }
}
