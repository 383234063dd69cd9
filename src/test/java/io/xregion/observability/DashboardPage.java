package io.xregion.observability;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The dashboard's panels drawn as one HTML page of SVG charts, from the series Prometheus answered for each panel's
 * queries: laid out on Grafana's 24-column grid as the JSON places them, time series as lines with their legend
 * (Grafana's {@code {{label}}} legend formats), state timelines as coloured lanes with the panel's value mappings.
 * Not Grafana: a faithful enough picture of what each query shows.
 */
final class DashboardPage {

    /** A moment drawn across every panel (e.g. "eastus down"). */
    record Marker(Instant at, String text) {
    }

    /** What one target of a panel answered. */
    record Answer(JsonNode target, JsonNode series) {
    }

    private static final String[] COLOURS = {"#73bf69", "#f2cc0c", "#5794f2", "#ff780a", "#f2495c", "#b877d9",
        "#8ab8ff", "#fade2a", "#96d98d", "#ffa6b0", "#c0d8ff", "#ffb357"};
    private static final int COLUMN = 62;
    private static final int ROW_HEIGHT = 30;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final JsonNode dashboard;
    private final Instant start;
    private final Instant end;
    private final List<Marker> markers;
    /** Seconds between the points of a series (the query's step): a longer distance is a hole, drawn as one. */
    private final double step;

    DashboardPage(JsonNode dashboard, Instant start, Instant end, java.time.Duration step, List<Marker> markers) {
        this.dashboard = dashboard;
        this.step = step.toSeconds();
        this.start = start;
        this.end = end;
        this.markers = markers;
    }

    String html(Map<Integer, List<Answer>> answers, String caption) {
        StringBuilder page = new StringBuilder();
        int bottom = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            JsonNode grid = panel.path("gridPos");
            bottom = Math.max(bottom, (grid.path("y").asInt() + grid.path("h").asInt()) * ROW_HEIGHT);
        }
        page.append("<!doctype html><html><head><meta charset=\"utf-8\"><style>")
                .append("body{margin:0;background:#111217;color:#ccccdc;font:12px Inter,Helvetica,Arial,sans-serif}")
                .append(".top{padding:8px 12px;border-bottom:1px solid #2c3235}.top b{font-size:16px;color:#fff}")
                .append(".vars span{display:inline-block;margin:6px 8px 0 0;padding:3px 8px;background:#22252b;")
                .append("border:1px solid #2c3235;border-radius:2px}.cap{color:#8e8e8e;margin-top:4px}")
                .append(".grid{position:relative;margin:8px;height:").append(bottom).append("px}")
                .append(".panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:3px;")
                .append("box-sizing:border-box;overflow:hidden}.panel h3{margin:0;padding:6px 8px;font-size:12px;")
                .append("font-weight:500;color:#ccccdc}.row{position:absolute;font-size:14px;color:#fff;")
                .append("font-weight:500;padding-top:6px}text{fill:#9fa7b3;font-size:10px}")
                .append("</style></head><body><div class=\"top\"><b>").append(escape(dashboard.path("title").asText()))
                .append("</b><div class=\"vars\">");
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asText())) {
                page.append("<span>").append(escape(variable.path("label").asText())).append(": All</span>");
            }
        }
        page.append("<span>").append(CLOCK.format(start)).append(" to ").append(CLOCK.format(end))
                .append(" UTC</span></div><div class=\"cap\">").append(escape(caption)).append("</div></div>")
                .append("<div class=\"grid\">");
        for (JsonNode panel : dashboard.path("panels")) {
            JsonNode grid = panel.path("gridPos");
            int x = grid.path("x").asInt() * COLUMN;
            int y = grid.path("y").asInt() * ROW_HEIGHT;
            int width = grid.path("w").asInt() * COLUMN - 6;
            int height = grid.path("h").asInt() * ROW_HEIGHT - 6;
            if ("row".equals(panel.path("type").asText())) {
                page.append("<div class=\"row\" style=\"left:").append(x).append("px;top:").append(y).append("px\">")
                        .append(escape(panel.path("title").asText())).append("</div>");
                continue;
            }
            page.append("<div class=\"panel\" style=\"left:").append(x).append("px;top:").append(y)
                    .append("px;width:").append(width).append("px;height:").append(height).append("px\"><h3>")
                    .append(escape(panel.path("title").asText())).append("</h3>");
            List<Answer> panelAnswers = answers.getOrDefault(panel.path("id").asInt(), List.of());
            if ("state-timeline".equals(panel.path("type").asText())) {
                page.append(stateTimeline(panel, panelAnswers, width, height - 26));
            } else {
                page.append(timeSeries(panel, panelAnswers, width, height - 26));
            }
            page.append("</div>");
        }
        return page.append("</div></body></html>").toString();
    }

    private String timeSeries(JsonNode panel, List<Answer> answers, int width, int height) {
        List<Line> lines = new ArrayList<>();
        for (Answer answer : answers) {
            for (JsonNode series : answer.series()) {
                lines.add(new Line(legend(answer.target(), series.path("metric")), points(series.path("values"))));
            }
        }
        lines.removeIf(l -> l.points.isEmpty());
        int legendRows = Math.min(4, (lines.size() + 1) / 2);
        int plotHeight = height - 18 - legendRows * 14;
        int left = 46;
        int plotWidth = width - left - 10;
        double max = 0;
        for (Line line : lines) {
            for (double[] point : line.points) {
                max = Math.max(max, point[1]);
            }
        }
        max = max <= 0 ? 1 : niceCeiling(max);
        String unit = panel.path("fieldConfig").path("defaults").path("unit").asText("");
        StringBuilder svg = new StringBuilder("<svg width=\"" + width + "\" height=\"" + height + "\">");
        if (lines.isEmpty()) {
            svg.append("<text x=\"").append(width / 2 - 20).append("\" y=\"").append(height / 2)
                    .append("\" style=\"font-size:13px\">No data</text>");
        }
        for (int tick = 0; tick <= 4; tick++) {
            double value = max * tick / 4;
            double y = 4 + plotHeight - plotHeight * tick / 4.0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#2c3235\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left, left + plotWidth, y, y, left - 4,
                    y + 3, format(value, unit)));
        }
        axisAndMarkers(svg, left, plotWidth, 4, plotHeight);
        int colour = 0;
        for (Line line : lines) {
            String stroke = COLOURS[colour++ % COLOURS.length];
            StringBuilder path = new StringBuilder();
            Double previous = null;
            for (double[] point : line.points) {
                double x = left + plotWidth * fraction(point[0]);
                double y = 4 + plotHeight - plotHeight * point[1] / max;
                boolean gap = previous != null && point[0] - previous > step * 1.5;
                path.append(path.length() == 0 || gap ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
                previous = point[0];
            }
            svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(stroke)
                    .append("\" stroke-width=\"1.5\"/>");
        }
        colour = 0;
        int index = 0;
        for (Line line : lines) {
            if (index >= legendRows * 2) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">… %d more</text>", left,
                        height - 4, lines.size() - index));
                break;
            }
            int x = left + (index % 2) * (plotWidth / 2);
            int y = plotHeight + 30 + (index / 2) * 14;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", x, y - 4, COLOURS[colour++ % COLOURS.length], x + 14, y,
                    escape(line.legend)));
            index++;
        }
        return svg.append("</svg>").toString();
    }

    private String stateTimeline(JsonNode panel, List<Answer> answers, int width, int height) {
        List<Line> lanes = new ArrayList<>();
        for (Answer answer : answers) {
            for (JsonNode series : answer.series()) {
                lanes.add(new Line(legend(answer.target(), series.path("metric")), points(series.path("values"))));
            }
        }
        lanes.removeIf(l -> l.points.isEmpty());
        int left = 190;
        int plotWidth = width - left - 10;
        int plotHeight = height - 18;
        StringBuilder svg = new StringBuilder("<svg width=\"" + width + "\" height=\"" + height + "\">");
        if (lanes.isEmpty()) {
            svg.append("<text x=\"").append(width / 2 - 20).append("\" y=\"").append(height / 2)
                    .append("\" style=\"font-size:13px\">No data</text>");
            return svg.append("</svg>").toString();
        }
        double lane = Math.min(28, (double) plotHeight / lanes.size());
        JsonNode mappings = panel.path("fieldConfig").path("defaults").path("mappings");
        for (int i = 0; i < lanes.size(); i++) {
            Line line = lanes.get(i);
            double top = 4 + i * lane;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 6,
                    top + lane / 2 + 3, escape(line.legend)));
            Iterator<double[]> points = line.points.iterator();
            double[] first = points.next();
            double segmentStart = first[0];
            double value = first[1];
            double last = first[0];
            while (true) {
                double[] next = points.hasNext() ? points.next() : null;
                boolean gap = next != null && next[0] - last > step * 1.5;
                if (next == null || next[1] != value || gap) {
                    double x0 = left + plotWidth * fraction(segmentStart);
                    double x1 = left + plotWidth * fraction(next == null || gap ? last + step : next[0]);
                    String[] mapped = mapped(mappings, value);
                    svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            + "fill=\"%s\" fill-opacity=\"0.75\"/>", x0, top + 1, Math.max(1, x1 - x0), lane - 3,
                            mapped[1]));
                    if (x1 - x0 > 40) {
                        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" style=\"fill:#fff\">%s"
                                + "</text>", x0 + 4, top + lane / 2 + 3, escape(mapped[0])));
                    }
                    if (next == null) {
                        break;
                    }
                    segmentStart = next[0];
                    value = next[1];
                }
                last = next[0];
            }
        }
        axisAndMarkers(svg, left, plotWidth, 4, Math.min(plotHeight, (int) (lane * lanes.size())));
        return svg.append("</svg>").toString();
    }

    private void axisAndMarkers(StringBuilder svg, int left, int plotWidth, int top, int plotHeight) {
        // a narrow panel gets fewer time labels and its markers without their text, as Grafana thins them
        boolean narrow = plotWidth < 300;
        int ticks = narrow ? 2 : 4;
        for (int tick = 0; tick <= ticks; tick++) {
            Instant at = start.plusMillis((end.toEpochMilli() - start.toEpochMilli()) * tick / ticks);
            String anchor = tick == 0 ? "start" : tick == ticks ? "end" : "middle";
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>",
                    left + plotWidth * tick / (double) ticks, top + plotHeight + 12, anchor, CLOCK.format(at)));
        }
        int row = 0;
        for (Marker marker : markers) {
            double x = left + plotWidth * fraction(marker.at().getEpochSecond());
            // Grafana shows an annotation's text on hover; here a short label, one row lower for each marker
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#8ab8ff\" "
                    + "stroke-dasharray=\"3 3\"/><text x=\"%.1f\" y=\"%d\" style=\"fill:#8ab8ff\">%s</text>", x, x, top,
                    top + plotHeight, x + 3, top + 9 + 11 * row++, narrow ? "" : escape(marker.text())));
        }
    }

    private double fraction(double epochSeconds) {
        return (epochSeconds - start.getEpochSecond()) / (double) (end.getEpochSecond() - start.getEpochSecond());
    }

    /** The text and colour a state-timeline value maps to (the panel's value mappings, else its thresholds). */
    private static String[] mapped(JsonNode mappings, double value) {
        String key = value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
        for (JsonNode mapping : mappings) {
            JsonNode option = mapping.path("options").path(key);
            if (!option.isMissingNode()) {
                return new String[] {option.path("text").asText(key), colour(option.path("color").asText("green"))};
            }
        }
        return new String[] {key, value >= 1 ? colour("green") : colour("red")};
    }

    private static String colour(String grafana) {
        return switch (grafana) {
            case "green" -> "#37872d";
            case "red" -> "#c4162a";
            case "orange" -> "#fa6400";
            default -> grafana;
        };
    }

    private static final Pattern LEGEND = Pattern.compile("\\{\\{\\s*(\\w+)\\s*\\}\\}");

    private static String legend(JsonNode target, JsonNode metric) {
        Matcher matcher = LEGEND.matcher(target.path("legendFormat").asText());
        StringBuilder legend = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(legend, Matcher.quoteReplacement(metric.path(matcher.group(1)).asText()));
        }
        matcher.appendTail(legend);
        return legend.toString();
    }

    private static List<double[]> points(JsonNode values) {
        List<double[]> points = new ArrayList<>();
        for (JsonNode value : values) {
            double v = Double.parseDouble(value.get(1).asText().replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
            if (Double.isFinite(v)) {
                points.add(new double[] {value.get(0).asDouble(), v});
            }
        }
        return points;
    }

    private static double niceCeiling(double max) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= max) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double value, String unit) {
        if ("s".equals(unit)) {
            return value == 0 ? "0" : value < 1 ? trim(value * 1000) + " ms" : trim(value) + " s";
        }
        String number = trim(value);
        return switch (unit) {
            case "reqps" -> number + " req/s";
            case "ops" -> number + " /s";
            default -> number;
        };
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value)
                : String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value).replaceAll("0+$", "");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private record Line(String legend, List<double[]> points) {
    }
}
