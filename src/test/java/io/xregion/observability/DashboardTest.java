package io.xregion.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;

/**
 * The Grafana dashboard: its variables, the panels an operator needs (each reading the meters it is about), every
 * panel query valid PromQL once Grafana's variables are put in (checked by promtool as recording rules), and the name
 * parser {@link MeteredSeriesTest} relies on. {@link MeteredSeriesTest} checks that the series exist.
 */
class DashboardTest {

    @Test
    void variablesForRegionInstanceAndNamespace() {
        Set<String> variables = new TreeSet<>();
        ObservabilityFiles.dashboard().path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertEquals(Set.of("datasource", "region", "instance", "namespace"), variables);
        Map<String, String> expressions = ObservabilityFiles.dashboardExpressions();
        assertTrue(expressions.get("variable region").contains(", region)"), expressions.toString());
        assertTrue(expressions.get("variable instance").contains(", instance)"), expressions.toString());
        assertTrue(expressions.get("variable namespace").contains(", namespace)"), expressions.toString());
    }

    /** Each thing the issue asks to see, as the meters that show it, in a panel of its own. */
    @Test
    void panelsShowWhatAnOperatorNeeds() {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("instance up", "xregion_webpubsub_instance_up");
        wanted.put("negotiations by instance", "xregion_webpubsub_negotiations_total");
        wanted.put("refusals by reason", "xregion_webpubsub_negotiate_refused_total");
        wanted.put("broadcast outcomes", "xregion_webpubsub_calls_total");
        wanted.put("failback leader", "xregion_webpubsub_failback_leader");
        wanted.put("namespace up", "xregion_servicebus_namespace_up");
        wanted.put("sends by outcome", "xregion_servicebus_sends_total");
        wanted.put("received", "xregion_servicebus_received_total");
        wanted.put("duplicates", "xregion_servicebus_duplicates_total");
        wanted.put("dead-lettered", "xregion_servicebus_dead_lettered_total");
        wanted.put("processing retries", "xregion_servicebus_processing_retries_total");
        wanted.put("replication lag", "xregion_servicebus_replication_lag_seconds_count");
        wanted.put("outbox depth", "xregion_servicebus_outbox_depth");
        wanted.put("outbox oldest age", "xregion_servicebus_outbox_oldest_age_seconds");
        wanted.put("outbox accepting", "xregion_servicebus_outbox_accepting");
        wanted.put("outbox broken", "xregion_servicebus_outbox_broken");
        wanted.put("duplicate store", "xregion_servicebus_dedup_state");
        wanted.put("delivery latency", "xregion_delivery_latency_seconds_bucket");
        Set<String> read = new TreeSet<>();
        ObservabilityFiles.dashboardExpressions().forEach((where, expression) -> {
            if (where.startsWith("panel ")) {
                read.addAll(ObservabilityFiles.metricNames(expression));
            }
        });
        List<String> missing = new ArrayList<>();
        wanted.forEach((what, meter) -> {
            if (!read.contains(meter)) {
                missing.add(what + " (" + meter + ")");
            }
        });
        assertEquals(List.of(), missing, "no panel reads these");
        String all = ObservabilityFiles.read(ObservabilityFiles.DASHBOARD);
        assertTrue(all.contains("histogram_quantile(0.5,") && all.contains("histogram_quantile(0.99,"),
                "delivery latency p50 and p99");
    }

    /** Every panel filters by the region variable, so choosing a region narrows the whole dashboard. */
    @Test
    void everyPanelFollowsTheRegionVariable() {
        ObservabilityFiles.dashboardExpressions().forEach((where, expression) -> {
            if (where.startsWith("panel ")) {
                assertTrue(expression.contains("region=~\"$region\""), where + ": " + expression);
            }
        });
    }

    @Test
    void panelQueriesAreValidPromQl(@TempDir Path directory) throws IOException {
        AlertRulesTest.assumePromtool();
        List<Map<String, Object>> rules = new ArrayList<>();
        ObservabilityFiles.dashboardExpressions().forEach((where, expression) -> {
            if (where.startsWith("panel ")) {
                rules.add(Map.of("record", "dashboard:panel" + rules.size(), "expr", ObservabilityFiles.withGrafanaVariables(expression, "1m")));
            }
        });
        Path file = directory.resolve("dashboard-queries.rules.yaml");
        Files.writeString(file, new Dump(DumpSettings.builder().build())
                .dumpToString(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));
        AlertRulesTest.Outcome check = AlertRulesTest.promtool("check", "rules", file.toString());
        assertEquals(0, check.exitCode(), check.output());
    }

    @Test
    void metricNamesAreReadOutOfPromQl() {
        assertEquals(Set.of("xregion_a_total", "xregion_b_total"), ObservabilityFiles.metricNames(
                "sum by (region, le) (rate(xregion_a_total{reason=~\"x|y_total\", region=~\"$region\"}[$__rate_interval]))"
                        + " / on (region) group_left sum without (pod) (xregion_b_total offset 15m) > bool 0.1"));
        assertEquals(Set.of("xregion_c_bucket"), ObservabilityFiles.metricNames(
                "histogram_quantile(0.99, sum(rate(xregion_c_bucket[5m])) by (le)) > 2.5e-1"));
        assertEquals(Set.of("xregion_d"), ObservabilityFiles.metricNames("label_values(xregion_d{region=~\"$region\"}, instance)"));
        assertEquals(Set.of("xregion_e", "up"), ObservabilityFiles.metricNames("xregion_e unless up and on() vector(1)"));
        ObservabilityFiles.dashboardExpressions().forEach((where, expression) ->
                assertFalse(ObservabilityFiles.metricNames(expression).isEmpty(), where + " reads no metric"));
        ObservabilityFiles.ruleExpressions().forEach((where, expression) ->
                assertFalse(ObservabilityFiles.metricNames(expression).isEmpty(), where + " reads no metric"));
    }
}
