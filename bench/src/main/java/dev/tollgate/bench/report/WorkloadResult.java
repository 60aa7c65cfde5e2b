package dev.tollgate.bench.report;

import dev.tollgate.bench.load.Series;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One workload of a run (sequential, 16 connections, streaming, ...): a {@link Series} per
 * target and the CPU each target's server process and the harness spent during that target's
 * blocks. Not thread-safe: filled by the thread that runs the blocks.
 */
public final class WorkloadResult {

    /** CPU ticks spent during one target's blocks of this workload. */
    public static final class Cost {
        long serverTicks;
        long harnessTicks;

        public void add(long server, long harness) {
            serverTicks += server;
            harnessTicks += harness;
        }
    }

    private final String key;
    private final String title;
    private final String description;
    private final boolean stream;
    private final Map<String, Series> series = new LinkedHashMap<>();
    private final Map<String, Cost> costs = new LinkedHashMap<>();

    public WorkloadResult(String key, String title, String description, boolean stream) {
        this.key = key;
        this.title = title;
        this.description = description;
        this.stream = stream;
    }

    public Series series(String targetId) {
        return series.computeIfAbsent(targetId, k -> new Series());
    }

    public Cost cost(String targetId) {
        return costs.computeIfAbsent(targetId, k -> new Cost());
    }

    public String key() {
        return key;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public boolean stream() {
        return stream;
    }

    public Map<String, Series> all() {
        return series;
    }

    /** CPU seconds of the target's server process per 1,000 successful requests (NaN if unknown). */
    public double serverCpuPer1k(String targetId) {
        Cost c = costs.get(targetId);
        Series s = series.get(targetId);
        if (c == null || s == null || s.requests() == 0) {
            return Double.NaN;
        }
        return c.serverTicks / (double) dev.tollgate.bench.process.ProcStat.CLOCK_TICKS_PER_SECOND / s.requests() * 1000;
    }

    /** CPU seconds of the harness (load generator) per 1,000 successful requests to this target. */
    public double harnessCpuPer1k(String targetId) {
        Cost c = costs.get(targetId);
        Series s = series.get(targetId);
        if (c == null || s == null || s.requests() == 0) {
            return Double.NaN;
        }
        return c.harnessTicks / (double) dev.tollgate.bench.process.ProcStat.CLOCK_TICKS_PER_SECOND / s.requests() * 1000;
    }
}
