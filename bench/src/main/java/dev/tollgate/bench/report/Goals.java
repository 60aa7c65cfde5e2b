package dev.tollgate.bench.report;

import dev.tollgate.bench.load.Series;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The performance goals of the benchmark issue, checked against a run. Stateless. */
public final class Goals {

    /** How a goal fared. */
    public enum Verdict {
        MET, MISSED, NOT_MEASURED
    }

    /** One goal: what it asks, what was measured, and the verdict. */
    public record Check(String goal, String measured, Verdict verdict) {
    }

    public static final String DIRECT = "direct";
    public static final String SIDECAR = "sidecar";
    public static final String PORTKEY = "portkey";

    private Goals() {
    }

    public static List<Check> check(RunResults r) {
        List<Check> out = new ArrayList<>();
        WorkloadResult seq = r.workloads.get("sequential");
        Percentiles seqAdded = added(seq, false);
        out.add(limit("sequential: median added <= 0.15 ms", seqAdded == null ? Double.NaN : seqAdded.p50Ms(), 0.15, "ms"));
        out.add(limit("sequential: p99 added <= 0.5 ms", seqAdded == null ? Double.NaN : seqAdded.p99Ms(), 0.5, "ms"));

        WorkloadResult c64 = r.workloads.get("concurrent_64");
        double ratio = ratio(c64, SIDECAR, DIRECT);
        out.add(floor("64 connections: throughput >= 50% of direct", ratio * 100, 50, "%"));
        Percentiles c64Added = added(c64, false);
        out.add(limit("64 connections: p99 added <= 2 ms", c64Added == null ? Double.NaN : c64Added.p99Ms(), 2, "ms"));
        double vsPortkey = ratio(c64, SIDECAR, PORTKEY);
        out.add(floor("64 connections: throughput >= 3x Portkey's", vsPortkey, 3, "x"));

        WorkloadResult stream = r.workloads.get("streaming");
        Percentiles ttftAdded = added(stream, true);
        out.add(limit("streaming: TTFT added (median) <= 0.2 ms", ttftAdded == null ? Double.NaN : ttftAdded.p50Ms(),
                0.2, "ms"));
        // "Chunks leave the sidecar within 0.1 ms of arriving": each chunk's time from the upstream's
        // send to the client, through the sidecar minus directly, at the median.
        Percentiles chunkAdded = chunkAdded(stream);
        out.add(limit("streaming: chunk relay added (median) <= 0.1 ms",
                chunkAdded == null ? Double.NaN : chunkAdded.p50Ms(), 0.1, "ms"));

        RunResults.ProcessFacts sidecar = r.processes.get(SIDECAR);
        double rssMib = sidecar == null || sidecar.peakRssKb < 0 ? Double.NaN : sidecar.peakRssKb / 1024.0;
        out.add(limit("sidecar RSS (peak under load) <= 150 MiB", rssMib, 150, "MiB"));
        out.add(limit("sidecar start-to-ready (median) <= 1.5 s", r.medianSidecarReadyMs() / 1000, 1.5, "s"));
        return out;
    }

    /** Sidecar minus direct, per percentile, of latency or of time to first byte; null if either is missing. */
    static Percentiles added(WorkloadResult w, boolean firstByte) {
        if (w == null || !w.all().containsKey(SIDECAR) || !w.all().containsKey(DIRECT)) {
            return null;
        }
        Series s = w.all().get(SIDECAR);
        Series d = w.all().get(DIRECT);
        return firstByte ? Percentiles.firstByte(s).minus(Percentiles.firstByte(d))
                : Percentiles.latency(s).minus(Percentiles.latency(d));
    }

    /** Sidecar minus direct, per percentile, of each chunk's delay; null if either is missing or has none. */
    static Percentiles chunkAdded(WorkloadResult w) {
        if (w == null || !w.all().containsKey(SIDECAR) || !w.all().containsKey(DIRECT)) {
            return null;
        }
        Series s = w.all().get(SIDECAR);
        Series d = w.all().get(DIRECT);
        if (s.chunkDelay().getTotalCount() == 0 || d.chunkDelay().getTotalCount() == 0) {
            return null;
        }
        return Percentiles.chunkDelay(s).minus(Percentiles.chunkDelay(d));
    }

    static double ratio(WorkloadResult w, String a, String b) {
        if (w == null || !w.all().containsKey(a) || !w.all().containsKey(b)) {
            return Double.NaN;
        }
        double base = w.all().get(b).throughput();
        return base == 0 ? Double.NaN : w.all().get(a).throughput() / base;
    }

    private static Check limit(String goal, double value, double max, String unit) {
        if (Double.isNaN(value)) {
            return new Check(goal, "not measured", Verdict.NOT_MEASURED);
        }
        return new Check(goal, format(value, unit), value <= max ? Verdict.MET : Verdict.MISSED);
    }

    private static Check floor(String goal, double value, double min, String unit) {
        if (Double.isNaN(value)) {
            return new Check(goal, "not measured", Verdict.NOT_MEASURED);
        }
        return new Check(goal, format(value, unit), value >= min ? Verdict.MET : Verdict.MISSED);
    }

    private static String format(double value, String unit) {
        return switch (unit) {
            case "ms" -> String.format(Locale.ROOT, "%.3f ms", value);
            case "%" -> String.format(Locale.ROOT, "%.0f%%", value);
            case "x" -> String.format(Locale.ROOT, "%.2fx", value);
            case "MiB" -> String.format(Locale.ROOT, "%.0f MiB", value);
            default -> String.format(Locale.ROOT, "%.2f %s", value, unit);
        };
    }
}
