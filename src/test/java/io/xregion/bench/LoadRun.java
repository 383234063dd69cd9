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

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }
}
