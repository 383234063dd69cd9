package io.xregion.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;

/**
 * The alert rules: valid for Prometheus ({@code promtool check rules}), each one firing and staying quiet as its
 * unit tests say ({@code promtool test rules}), every alert tested both ways, each with a severity and a runbook
 * section that exists, and the PrometheusRule under k8s/ holding the same rules as the plain file. promtool is
 * Debian's {@code prometheus} package (.ci/run installs it when missing); without it the promtool checks are skipped
 * with a message, the others still run. {@link MeteredSeriesTest} checks that the series they read exist.
 */
class AlertRulesTest {

    static final Path PROMTOOL = Path.of(System.getProperty("xregion.promtool", "/usr/bin/promtool"));
    static final Set<String> SEVERITIES = Set.of("critical", "warning");

    @Test
    void promtoolChecksThePlainRulesAndThePrometheusRule(@TempDir Path directory) throws IOException {
        assumePromtool();
        Outcome plain = promtool("check", "rules", ObservabilityFiles.RULES.toString());
        assertEquals(0, plain.exitCode(), plain.output());
        // the PrometheusRule's spec is a rules file of its own: checked as one
        Path spec = directory.resolve("prometheus-rule-spec.yaml");
        Files.writeString(spec, new Dump(DumpSettings.builder().build())
                .dumpToString(Map.of("groups", ObservabilityFiles.prometheusRuleGroups())));
        Outcome operator = promtool("check", "rules", spec.toString());
        assertEquals(0, operator.exitCode(), operator.output());
        assertTrue(plain.output().contains("SUCCESS: " + ObservabilityFiles.alerts().size() + " rules found"),
                plain.output());
    }

    @Test
    void promtoolUnitTestsPass() {
        assumePromtool();
        Outcome tests = promtool("test", "rules", ObservabilityFiles.RULE_TESTS.toString());
        assertEquals(0, tests.exitCode(), tests.output());
        assertTrue(tests.output().contains("SUCCESS"), tests.output());
    }

    /** A rule whose unit test never sees it fire, or never sees it quiet, is not tested. */
    @Test
    @SuppressWarnings("unchecked")
    void everyAlertIsTestedFiringAndQuiet() {
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (Map<String, Object> test : (List<Map<String, Object>>) ObservabilityFiles.yaml(
                ObservabilityFiles.RULE_TESTS).get("tests")) {
            for (Map<String, Object> check : (List<Map<String, Object>>) test.get("alert_rule_test")) {
                List<Object> expected = (List<Object>) check.get("exp_alerts");
                (expected == null || expected.isEmpty() ? quiet : firing).add((String) check.get("alertname"));
            }
        }
        Set<String> alerts = alertNames();
        assertEquals(alerts, firing, "alerts the unit tests see firing");
        assertEquals(alerts, quiet, "alerts the unit tests see quiet");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasASeveritySummaryDescriptionAndARunbookSection() {
        String runbooks = ObservabilityFiles.read(ObservabilityFiles.RUNBOOKS);
        Set<String> sections = runbooks.lines().filter(l -> l.startsWith("## "))
                .map(l -> l.substring(3).trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> alert : ObservabilityFiles.alerts()) {
            String name = (String) alert.get("alert");
            Map<String, Object> labels = (Map<String, Object>) alert.get("labels");
            Map<String, Object> annotations = (Map<String, Object>) alert.get("annotations");
            if (labels == null || !SEVERITIES.contains(labels.get("severity"))) {
                problems.add(name + ": severity is not one of " + SEVERITIES);
            }
            for (String annotation : List.of("summary", "description", "runbook_url")) {
                if (annotations == null || !(annotations.get(annotation) instanceof String text) || text.isBlank()) {
                    problems.add(name + ": no " + annotation);
                }
            }
            String anchor = name.toLowerCase(Locale.ROOT);
            if (annotations != null && !(ObservabilityFiles.RUNBOOK_BASE + anchor).equals(annotations.get("runbook_url"))) {
                problems.add(name + ": runbook_url is not " + ObservabilityFiles.RUNBOOK_BASE + anchor);
            }
            if (!sections.contains(anchor)) {
                problems.add(name + ": docs/runbooks.md has no section '## " + name + "'");
            }
        }
        assertEquals(List.of(), problems);
        // and no runbook section for an alert that does not exist (a renamed rule leaves none behind)
        Set<String> alerts = alertNames().stream().map(a -> a.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        Set<String> orphans = new TreeSet<>(sections.stream().filter(s -> s.startsWith("xregion")).toList());
        orphans.removeAll(alerts);
        assertEquals(Set.of(), orphans, "runbook sections of no alert");
    }

    /** Flapping: every alert that watches a state waits before firing; only a dead letter, which is for ever, does not. */
    @Test
    void alertsWaitBeforeFiringUnlessTheyCannotMendThemselves() {
        Set<String> immediate = ObservabilityFiles.alerts().stream().filter(a -> a.get("for") == null)
                .map(a -> (String) a.get("alert")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("XRegionDeadLetters"), immediate);
    }

    /**
     * The queries a runbook tells the person on call to run name meters of xregion's catalogue (the rules and the
     * dashboard are checked against the running app by {@link MeteredSeriesTest}; a runbook's query may name a meter
     * that scenario never makes, e.g. the outbox's delivered count).
     */
    @Test
    void runbooksNameOnlyMetersOfTheCatalogue() {
        Set<String> defined = new TreeSet<>();
        for (io.xregion.observe.XregionMeter meter : io.xregion.observe.XregionMeter.values()) {
            String name = meter.prometheusName();
            defined.add(name);
            if (meter.type() == io.xregion.observe.XregionMeter.Type.TIMER) {
                List.of("_bucket", "_count", "_sum", "_max").forEach(suffix -> defined.add(name + suffix));
            }
        }
        Set<String> named = new TreeSet<>();
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\\bxregion_[a-z0-9_]+")
                .matcher(ObservabilityFiles.read(ObservabilityFiles.RUNBOOKS));
        while (matcher.find()) {
            named.add(matcher.group());
        }
        assertFalse(named.isEmpty());
        named.removeAll(defined);
        assertEquals(Set.of(), named, "series the runbooks name that no meter defines");
    }

    @Test
    void thePrometheusRuleHoldsTheSameGroupsAndRulesAsThePlainFile() {
        List<Map<String, Object>> plain = ObservabilityFiles.ruleGroups();
        assertFalse(plain.isEmpty());
        assertEquals(plain, ObservabilityFiles.prometheusRuleGroups(),
                "k8s/observability/prometheus-rule.yaml and observability/prometheus/xregion-alerts.rules.yaml differ");
        Map<String, Object> rule = ObservabilityFiles.yaml(ObservabilityFiles.PROMETHEUS_RULE);
        assertEquals("monitoring.coreos.com/v1", rule.get("apiVersion"));
        assertEquals("PrometheusRule", rule.get("kind"));
    }

    @Test
    void theAlertsTheIssueAsksForAreThere() {
        assertTrue(alertNames().containsAll(Set.of("XRegionWebPubSubInstanceDown", "XRegionServiceBusNamespaceDown",
                "XRegionServiceBusBothNamespacesDown", "XRegionOutboxOldestAgeHigh", "XRegionOutboxRefusing",
                "XRegionOutboxBroken", "XRegionDuplicateStoreHolding", "XRegionDuplicateStoreDegraded",
                "XRegionNoFailbackLeader", "XRegionTwoFailbackLeaders", "XRegionDeliveryLatencyHigh",
                "XRegionDeadLetters", "XRegionProcessingRetriesHigh", "XRegionNegotiateUnavailable")),
                alertNames().toString());
    }

    static Set<String> alertNames() {
        return ObservabilityFiles.alerts().stream().map(a -> (String) a.get("alert"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static void assumePromtool() {
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), PROMTOOL + " is not installed here, so the alert rules "
                + "are not checked by promtool: install Debian's prometheus package (.ci/run does) or point "
                + "-Dxregion.promtool at one");
    }

    record Outcome(int exitCode, String output) {
    }

    static Outcome promtool(String... arguments) {
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(ObservabilityFiles.PROMETHEUS.toFile())
                    .redirectErrorStream(true).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in 120 s:\n" + output);
            }
            assertNotNull(output);
            return new Outcome(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException(command + " cannot be run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
