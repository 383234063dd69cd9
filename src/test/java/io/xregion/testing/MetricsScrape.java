package io.xregion.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code /observe/metrics} answered, read as Prometheus text: one sample per series. */
public record MetricsScrape(List<Sample> samples) {

    /** One series: its name, its labels and its value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** Scrapes the app's management port. */
    public static MetricsScrape of(RunningApp app) {
        HttpCalls.Answer answer = HttpCalls.get(app.managementUrl("/observe/metrics"));
        if (answer.status() != 200) {
            throw new AssertionError("/observe/metrics answered " + answer.status() + ": " + answer.body());
        }
        return parse(answer.body());
    }

    static MetricsScrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                String inside = line.substring(brace + 1, line.lastIndexOf('}'));
                int at = 0;
                while (at < inside.length()) {
                    int equals = inside.indexOf('=', at);
                    int end = equals + 2;
                    StringBuilder value = new StringBuilder();
                    while (inside.charAt(end) != '"') {
                        if (inside.charAt(end) == '\\') {
                            end++;
                        }
                        value.append(inside.charAt(end++));
                    }
                    labels.put(inside.substring(at, equals).trim(), value.toString());
                    at = end + 1;
                    if (at < inside.length() && inside.charAt(at) == ',') {
                        at++;
                    }
                }
            }
            String value = line.substring(space + 1).replace("Inf", "Infinity");
            samples.add(new Sample(name, labels, Double.parseDouble(value)));
        }
        return new MetricsScrape(samples);
    }

    /** The series of this name whose labels include these (key, value, ...). */
    public List<Sample> named(String name, String... labels) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    /** The sum of the values of {@link #named} series (0 when there is none). */
    public double sum(String name, String... labels) {
        return named(name, labels).stream().mapToDouble(Sample::value).sum();
    }
}
