package io.xregion.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Runs one operation from several threads for a fixed time and reports throughput and latency percentiles. */
final class LoadRun {

    /** One call; returns true when it succeeded. */
    @FunctionalInterface
    interface Call {
        boolean run() throws Exception;
    }

    /** What a run measured. */
    record Result(String name, long calls, long failures, double seconds, double p50Millis, double p99Millis) {
        double perSecond() {
            return calls / seconds;
        }

        @Override
        public String toString() {
            return String.format("%-44s %9.0f /s   p50 %6.2f ms   p99 %6.2f ms   (%d calls, %d failed)", name,
                    perSecond(), p50Millis, p99Millis, calls, failures);
        }
    }

    private LoadRun() {
    }

    static Result run(String name, int threads, double seconds, Call call) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong failures = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        long[] counts = new long[threads];
        CountDownLatch done = new CountDownLatch(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            long[] mine = new long[1 << 20];
            latencies.add(mine);
            int index = t;
            Thread worker = new Thread(() -> {
                int n = 0;
                try {
                    while (!stop.get()) {
                        long before = System.nanoTime();
                        boolean ok;
                        try {
                            ok = call.run();
                        } catch (Exception e) {
                            ok = false;
                        }
                        if (!ok) {
                            failures.incrementAndGet();
                        }
                        if (n < mine.length) {
                            mine[n] = System.nanoTime() - before;
                        }
                        n++;
                    }
                } finally {
                    counts[index] = n;
                    done.countDown();
                }
            }, "load-" + name + "-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) Math.min(total, Integer.MAX_VALUE - 8)];
        int k = 0;
        for (int t = 0; t < threads; t++) {
            int n = (int) Math.min(counts[t], latencies.get(t).length);
            System.arraycopy(latencies.get(t), 0, all, k, n);
            k += n;
        }
        long[] sorted = Arrays.copyOf(all, k);
        Arrays.sort(sorted);
        return new Result(name, total, failures.get(), elapsed, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    /** One case of an interleaved run: its name and its call. */
    record Case(String name, Call call) {
    }

    /**
     * Runs the cases in turns of {@code sliceSeconds} each (A, B, A, B...) until each had {@code secondsPerCase}, the
     * same threads calling whichever case's turn it is: every case sees the same machine, since the load other
     * processes put on it changes from second to second and would favour whichever case ran in the quieter window.
     * A call counts for the case whose turn it started in; the turns' lengths are each case's time.
     */
    static List<Result> interleaved(List<Case> cases, int threads, double secondsPerCase, double sliceSeconds)
            throws InterruptedException {
        int n = cases.size();
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
        long[][] counts = new long[threads][n];
        long[][] failures = new long[threads][n];
        long[][][] latencies = new long[threads][n][1 << 18];
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread worker = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        int c = turn.get();
                        long before = System.nanoTime();
                        boolean ok;
                        try {
                            ok = cases.get(c).call().run();
                        } catch (Exception e) {
                            ok = false;
                        }
                        long k = counts[index][c]++;
                        if (!ok) {
                            failures[index][c]++;
                        }
                        if (k < latencies[index][c].length) {
                            latencies[index][c][(int) k] = System.nanoTime() - before;
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "load-interleaved-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        double[] elapsed = new double[n];
        long slices = Math.max(1, Math.round(secondsPerCase / sliceSeconds));
        for (long slice = 0; slice < slices * n; slice++) {
            int c = (int) (slice % n);
            long start = System.nanoTime();
            turn.set(c);
            Thread.sleep((long) (sliceSeconds * 1000));
            elapsed[c] += (System.nanoTime() - start) / 1e9;
        }
        stop.set(true);
        done.await();
        List<Result> results = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            long total = 0;
            long failed = 0;
            List<long[]> kept = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                total += counts[t][c];
                failed += failures[t][c];
                kept.add(Arrays.copyOf(latencies[t][c], (int) Math.min(counts[t][c], latencies[t][c].length)));
            }
            long[] sorted = kept.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            results.add(new Result(cases.get(c).name(), total, failed, elapsed[c], percentile(sorted, 0.50),
                    percentile(sorted, 0.99)));
        }
        return results;
    }

    /**
     * Warm-up rounds of {@link #interleaved} until, from one round to the next, no case's rate changed by more than
     * {@code tolerance} (a fraction), at most {@code maxRounds}; prints each round's rates.
     */
    static void warmUp(List<Case> cases, int threads, double secondsPerCase, double sliceSeconds, double tolerance,
            int maxRounds) throws InterruptedException {
        double[] previous = null;
        for (int round = 1; round <= maxRounds; round++) {
            List<Result> results = interleaved(cases, threads, secondsPerCase, sliceSeconds);
            double[] rates = results.stream().mapToDouble(Result::perSecond).toArray();
            StringBuilder line = new StringBuilder("warm-up round " + round + ":");
            results.forEach(r -> line.append(String.format("  %s %.0f/s", r.name(), r.perSecond())));
            System.out.println(line);
            if (previous != null) {
                boolean steady = true;
                for (int i = 0; i < rates.length; i++) {
                    steady &= Math.abs(rates[i] - previous[i]) <= tolerance * previous[i];
                }
                if (steady) {
                    return;
                }
            }
            previous = rates;
        }
        System.out.println("warm-up: the rates still moved after " + maxRounds + " rounds; the figures may too");
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }
}
