package io.xregion.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The operator's files as data: the alert rules (plain and as a PrometheusRule), their promtool tests, the Grafana
 * dashboard, and the PromQL in them, down to the metric names each expression reads.
 */
public final class ObservabilityFiles {

    public static final Path PROJECT = Path.of("").toAbsolutePath();
    public static final Path PROMETHEUS = PROJECT.resolve("observability/prometheus");
    public static final Path RULES = PROMETHEUS.resolve("xregion-alerts.rules.yaml");
    public static final Path RULE_TESTS = PROMETHEUS.resolve("xregion-alerts.test.yaml");
    public static final Path PROMETHEUS_RULE = PROJECT.resolve("k8s/observability/prometheus-rule.yaml");
    public static final Path DASHBOARD = PROJECT.resolve("observability/grafana/xregion.json");
    public static final Path RUNBOOKS = PROJECT.resolve("docs/runbooks.md");
    /** Where runbook_url points: docs/runbooks.md as published; docs/observability.md#alerts says how to change it. */
    public static final String RUNBOOK_BASE = "https://xregion.example.com/docs/runbooks.md#";

    private ObservabilityFiles() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> yaml(Path file) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(read(file));
    }

    /** The plain rules file's groups. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> ruleGroups() {
        return (List<Map<String, Object>>) yaml(RULES).get("groups");
    }

    /** The PrometheusRule's groups, as in the file under k8s/. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> prometheusRuleGroups() {
        return (List<Map<String, Object>>) ((Map<String, Object>) yaml(PROMETHEUS_RULE).get("spec")).get("groups");
    }

    /** Every alerting rule of the plain file, in order. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> alerts() {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Map<String, Object> group : ruleGroups()) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                if (rule.containsKey("alert")) {
                    alerts.add(rule);
                }
            }
        }
        return alerts;
    }

    public static JsonNode dashboard() {
        try {
            return new ObjectMapper().readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every PromQL expression of the dashboard: panel targets and template variable queries, by where they are. */
    public static Map<String, String> dashboardExpressions() {
        Map<String, String> expressions = new LinkedHashMap<>();
        JsonNode dashboard = dashboard();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asText())) {
                JsonNode query = variable.path("query");
                expressions.put("variable " + variable.path("name").asText(),
                        query.isTextual() ? query.asText() : query.path("query").asText());
            }
        }
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.put("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
        return expressions;
    }

    /** Every alert's expression, by alert name. */
    public static Map<String, String> ruleExpressions() {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (Map<String, Object> alert : alerts()) {
            expressions.put("alert " + alert.get("alert"), (String) alert.get("expr"));
        }
        return expressions;
    }

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:$.])([A-Za-z_:][A-Za-z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "by", "without", "on",
            "ignoring", "group_left", "group_right", "offset", "inf", "nan", "Inf", "NaN");

    /**
     * The metric names an expression reads: what is left once strings, label matchers, ranges, offsets, grouping
     * label lists, functions and keywords are taken out (Grafana's {@code label_values(metric, label)} reads its first
     * argument only). A histogram's series keep their suffix ({@code _bucket}, {@code _sum}, {@code _count}), as the
     * exposition names them.
     */
    public static Set<String> metricNames(String expression) {
        String rest = STRING.matcher(expression).replaceAll(" ");
        rest = rest.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^\\]]*\\]", " ");
        rest = rest.replaceAll("\\boffset\\s+[0-9a-z]+", " ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        rest = rest.replaceAll("label_values\\s*\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*,[^)]*\\)", " $1 ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(rest);
        while (identifier.find()) {
            String name = identifier.group(1);
            if (identifier.group(2) == null && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * A dashboard query as Grafana sends it with every region, instance and namespace chosen: {@code $__rate_interval}
     * becomes the given range.
     */
    public static String withGrafanaVariables(String expression, String rateInterval) {
        return expression.replace("$__rate_interval", rateInterval).replace("$region", ".*")
                .replace("$instance", ".*").replace("$namespace", ".*");
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
