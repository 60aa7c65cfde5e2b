package dev.tollgate.bench.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measured and noted, in the order it should be reported. Not thread-safe
 * except where a method says so: filled by the run's main thread.
 */
public final class RunResults {

    /** Resident memory and start time of a target's server process. */
    public static final class ProcessFacts {
        public String process;
        public long pid;
        public volatile long peakRssKb = -1;
        /** The peak from the first measured workload on (the warm-up's JIT compilations left out). */
        public volatile long measuredPeakRssKb = -1;
        public long idleRssKb = -1;
        public long hwmKb = -1;
        /** Samples from the first measured workload on, counted per MiB of RSS (the last slot takes all above). */
        private final java.util.concurrent.atomic.AtomicIntegerArray measuredMib =
                new java.util.concurrent.atomic.AtomicIntegerArray(4096);

        /** Called from the sampling thread; {@code measuring}: a measured workload has begun. */
        public void sampleRss(long kb, boolean measuring) {
            if (kb > peakRssKb) {
                peakRssKb = kb;
            }
            if (measuring) {
                if (kb > measuredPeakRssKb) {
                    measuredPeakRssKb = kb;
                }
                measuredMib.incrementAndGet((int) Math.min(kb / 1024, measuredMib.length() - 1));
            }
        }

        /**
         * The median of the samples from the first measured workload on, in KiB (MiB resolution; -1
         * without samples): what the process holds under load between the JIT compiler's short peaks.
         */
        public long measuredMedianRssKb() {
            long total = 0;
            for (int i = 0; i < measuredMib.length(); i++) {
                total += measuredMib.get(i);
            }
            long seen = 0;
            for (int i = 0; i < measuredMib.length() && total > 0; i++) {
                seen += measuredMib.get(i);
                if (2 * seen >= total) {
                    return i * 1024L;
                }
            }
            return -1;
        }
    }

    public final Instant startedAt = Instant.now();
    public final Map<String, String> machine = new LinkedHashMap<>();
    public final Map<String, Object> settings = new LinkedHashMap<>();
    public final Map<String, String> targets = new LinkedHashMap<>();
    public final Map<String, WorkloadResult> workloads = new LinkedHashMap<>();
    public final Map<String, ProcessFacts> processes = new LinkedHashMap<>();
    public final List<Double> sidecarReadyMs = new ArrayList<>();
    public final List<Double> sidecarLiveMs = new ArrayList<>();
    public final List<String> notes = new ArrayList<>();
    public boolean budgetHonoured;
    public JfrSummary jfr;

    public WorkloadResult workload(String key, String title, String description, boolean stream) {
        return workloads.computeIfAbsent(key, k -> new WorkloadResult(key, title, description, stream));
    }

    public ProcessFacts process(String targetId) {
        return processes.computeIfAbsent(targetId, k -> new ProcessFacts());
    }

    public double medianSidecarReadyMs() {
        return median(sidecarReadyMs);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
