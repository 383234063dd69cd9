package io.xregion.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * What one step measured: every (client, accepted message) pair's end-to-end latency (a message a client never
 * received counts as infinitely late), the publishes' answers, and the CPU seconds each process used from the step's
 * first publish until its last delivery.
 */
record InstallStep(int rate, int published, int accepted, int refused, long deliveries, long missing,
        long duplicates, double p50Millis, double p99Millis, double maxMillis, double publishP50Millis,
        double publishP99Millis, double drainSeconds, Map<String, Double> cpuSeconds) {

    static final String HEADER = String.format("  %6s %9s %8s %7s %8s %8s %8s %8s  %13s  %s", "msg/s", "published",
            "refused", "missing", "dupl.", "e2e p50", "e2e p99", "e2e max", "publish p50/99", "drained after");

    static InstallStep of(int rate, int published, int accepted, int refused, long[] latencyMillis, long missing,
            long duplicates, double[] publishMillis, double drainSeconds, Map<String, Double> cpuSeconds) {
        long[] sorted = latencyMillis.clone();
        Arrays.sort(sorted);
        long pairs = sorted.length + missing;
        double[] publish = publishMillis.clone();
        Arrays.sort(publish);
        return new InstallStep(rate, published, accepted, refused, sorted.length, missing, duplicates,
                percentile(sorted, pairs, 0.50), percentile(sorted, pairs, 0.99),
                missing > 0 ? Double.POSITIVE_INFINITY : sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1],
                percentile(publish, 0.50), percentile(publish, 0.99), drainSeconds, cpuSeconds);
    }

    /** The p-th of all pairs, the missing ones last (infinitely late). */
    private static double percentile(long[] sorted, long pairs, double p) {
        if (pairs == 0) {
            return Double.NaN;
        }
        long index = Math.min(pairs - 1, (long) Math.floor(p * pairs));
        return index < sorted.length ? sorted[(int) index] : Double.POSITIVE_INFINITY;
    }

    private static double percentile(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN
                : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    boolean held(double targetP99Millis) {
        return p99Millis <= targetP99Millis && missing == 0 && refused == 0;
    }

    String row() {
        return String.format("  %6d %9d %8d %7d %8d %8s %8s %8s  %6s/%-6s  %.1f s", rate, published, refused, missing,
                duplicates, millis(p50Millis), millis(p99Millis), millis(maxMillis), millis(publishP50Millis),
                millis(publishP99Millis), drainSeconds);
    }

    /** CPU seconds per process over the step, and per accepted message. */
    Optional<String> cpuLine() {
        if (cpuSeconds.isEmpty() || accepted == 0) {
            return Optional.empty();
        }
        StringBuilder line = new StringBuilder("         CPU s (ms per message):");
        cpuSeconds.forEach((part, seconds) -> line.append(String.format(" %s %.1f (%.1f)", part, seconds,
                1000 * seconds / accepted)));
        return Optional.of(line.toString());
    }

    static String millis(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (Double.isInfinite(value)) {
            return "never";
        }
        return value < 10 ? String.format("%.1f", value) : String.format("%.0f", value);
    }
}
