package dev.tollgate.bench.report;

import dev.tollgate.bench.load.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Writes a run as Markdown tables for people: goals first, then each workload, processes, notes. Stateless. */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static void write(RunResults r, Path file) throws IOException {
        Files.writeString(file, render(r));
    }

    public static String render(RunResults r) {
        StringBuilder md = new StringBuilder();
        md.append("# Tollgate benchmark, ").append(r.startedAt).append("\n\n");
        r.machine.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("- settings: ").append(r.settings).append("\n\n");
        md.append("Targets: ");
        r.targets.forEach((k, v) -> md.append("`").append(k).append("` = ").append(v).append("; "));
        md.append("\n\nAll traffic on 127.0.0.1; targets alternate in short blocks; closed loop (each connection sends "
                + "its next request when the answer is complete). \"Added\" = target's percentile minus direct's "
                + "percentile.\n\n");

        md.append("## Goals (from the benchmark issue)\n\n| goal | measured | verdict |\n|---|---|---|\n");
        for (Goals.Check c : Goals.check(r)) {
            md.append("| ").append(c.goal()).append(" | ").append(c.measured()).append(" | ")
                    .append(switch (c.verdict()) {
                        case MET -> "met";
                        case MISSED -> "**missed**";
                        case NOT_MEASURED -> "not measured";
                    }).append(" |\n");
        }
        md.append('\n');

        for (WorkloadResult w : r.workloads.values()) {
            md.append("## ").append(w.title()).append("\n\n").append(w.description()).append("\n\n");
            Series direct = w.all().get(Goals.DIRECT);
            if (w.stream()) {
                md.append("| target | headers p50 | TTFT p50 | TTFT p99 | total p50 | total p99 | TTFT added p50 "
                        + "| TTFT added p99 | total added p50 | chunk delay p50 | chunk delay p99 | chunk added p50 "
                        + "| chunk added p99 | errors |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
                for (Map.Entry<String, Series> e : w.all().entrySet()) {
                    Percentiles ttft = Percentiles.firstByte(e.getValue());
                    Percentiles total = Percentiles.latency(e.getValue());
                    boolean base = direct == null || e.getKey().equals(Goals.DIRECT);
                    Percentiles ttftAdded = base ? null : ttft.minus(Percentiles.firstByte(direct));
                    Percentiles totalAdded = base ? null : total.minus(Percentiles.latency(direct));
                    Percentiles chunk = Percentiles.chunkDelay(e.getValue());
                    Percentiles chunkAdded = base ? null : chunk.minus(Percentiles.chunkDelay(direct));
                    md.append("| ").append(e.getKey()).append(" | ")
                            .append(ms(Percentiles.head(e.getValue()).p50Ms())).append(" | ")
                            .append(ms(ttft.p50Ms())).append(" | ").append(ms(ttft.p99Ms())).append(" | ").append(ms(total.p50Ms())).append(" | ")
                            .append(ms(total.p99Ms())).append(" | ")
                            .append(base ? "—" : signed(ttftAdded.p50Ms())).append(" | ")
                            .append(base ? "—" : signed(ttftAdded.p99Ms())).append(" | ")
                            .append(base ? "—" : signed(totalAdded.p50Ms())).append(" | ")
                            .append(ms(chunk.p50Ms())).append(" | ").append(ms(chunk.p99Ms())).append(" | ")
                            .append(base ? "—" : signed(chunkAdded.p50Ms())).append(" | ")
                            .append(base ? "—" : signed(chunkAdded.p99Ms())).append(" | ")
                            .append(errors(e.getValue())).append(" |\n");
                }
            } else {
                md.append("| target | req/s | vs direct | p50 | p90 | p99 | p99.9 | added p50 | added p99 | added p99.9 "
                        + "| server CPU s/1k req | errors |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
                for (Map.Entry<String, Series> e : w.all().entrySet()) {
                    Series s = e.getValue();
                    Percentiles p = Percentiles.latency(s);
                    boolean base = direct == null || e.getKey().equals(Goals.DIRECT);
                    Percentiles added = base ? null : p.minus(Percentiles.latency(direct));
                    md.append("| ").append(e.getKey()).append(" | ").append(fmt("%.0f", s.throughput())).append(" | ")
                            .append(base ? "—" : fmt("%.0f%%", 100 * s.throughput() / direct.throughput()))
                            .append(" | ").append(ms(p.p50Ms())).append(" | ").append(ms(p.p90Ms())).append(" | ")
                            .append(ms(p.p99Ms())).append(" | ").append(ms(p.p999Ms())).append(" | ")
                            .append(base ? "—" : signed(added.p50Ms())).append(" | ")
                            .append(base ? "—" : signed(added.p99Ms())).append(" | ")
                            .append(base ? "—" : signed(added.p999Ms())).append(" | ")
                            .append(fmt("%.3f", w.serverCpuPer1k(e.getKey()))).append(" | ")
                            .append(errors(s)).append(" |\n");
                }
            }
            md.append('\n');
        }

        md.append("## Processes\n\n| target | process | RSS idle | RSS peak under load (sampled) | RSS peak while "
                + "measured | RSS median while measured | VmHWM |\n|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, RunResults.ProcessFacts> e : r.processes.entrySet()) {
            RunResults.ProcessFacts f = e.getValue();
            md.append("| ").append(e.getKey()).append(" | ").append(f.process).append(" | ").append(mib(f.idleRssKb))
                    .append(" | ").append(mib(f.peakRssKb)).append(" | ").append(mib(f.measuredPeakRssKb))
                    .append(" | ").append(mib(f.measuredMedianRssKb())).append(" | ").append(mib(f.hwmKb)).append(" |\n");
        }
        md.append("\nSidecar start to ready (process start until `/health/readiness` is 200, i.e. it holds a "
                + "policy from the control plane): ");
        r.sidecarReadyMs.forEach(v -> md.append(fmt("%.0f ms", v)).append("; "));
        md.append("median ").append(fmt("%.0f ms", r.medianSidecarReadyMs())).append(". Start to listening: ");
        r.sidecarLiveMs.forEach(v -> md.append(fmt("%.0f ms", v)).append("; "));
        md.append("\nThe first start has no class-data archive yet and writes one when it is stopped; the later "
                + "starts map it, as the launcher's sidecar does from its second run on.\n\n");

        if (r.jfr != null) {
            md.append("## Sidecar hot spots (JFR, concurrent workloads)\n\n").append(r.jfr.samples())
                    .append(" execution samples, ").append(r.jfr.samplesInTollgate())
                    .append(" with a Tollgate frame on the stack. Recording: `").append(r.jfr.file()).append("`\n\n");
            table(md, "Top frames (self)", r.jfr.selfTop(), r.jfr.samples(), "samples");
            table(md, "Nearest Tollgate frame (which of our methods led into the hot code)", r.jfr.nearestTollgate(),
                    r.jfr.samples(), "samples");
            table(md, "Tollgate methods, inclusive", r.jfr.inclusiveTollgate(), r.jfr.samples(), "samples");
            long allocTotal = r.jfr.allocationByTollgate().values().stream().mapToLong(Long::longValue).sum();
            table(md, "Allocation (sampled bytes) by nearest Tollgate frame", r.jfr.allocationByTollgate(),
                    allocTotal, "bytes");
        }

        if (!r.notes.isEmpty()) {
            md.append("## Notes\n\n");
            r.notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static void table(StringBuilder md, String title, Map<String, Long> rows, long total, String unit) {
        md.append("### ").append(title).append("\n\n| method | ").append(unit).append(" | share |\n|---|---|---|\n");
        rows.forEach((k, v) -> md.append("| `").append(k).append("` | ").append(v).append(" | ")
                .append(fmt("%.1f%%", total == 0 ? 0 : 100.0 * v / total)).append(" |\n"));
        md.append('\n');
    }

    private static String errors(Series s) {
        return s.errors() == 0 ? "0" : s.errors() + " (" + s.firstError() + ")";
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "—" : fmt("%.3f ms", v);
    }

    private static String signed(double v) {
        return Double.isNaN(v) ? "—" : fmt("%+.3f ms", v);
    }

    private static String mib(long kb) {
        return kb < 0 ? "—" : fmt("%.0f MiB", kb / 1024.0);
    }

    private static String fmt(String format, double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, format, v);
    }
}
