package dev.tollgate.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.bench.load.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes a run as JSON (milliseconds, requests per second, MiB, CPU seconds per 1,000 requests). Stateless. */
public final class JsonReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    public static void write(RunResults r, Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(tree(r)) + "\n");
    }

    static ObjectNode tree(RunResults r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("started_at", r.startedAt.toString());
        ObjectNode machine = root.putObject("machine");
        r.machine.forEach(machine::put);
        root.set("settings", JSON.valueToTree(r.settings));
        ObjectNode targets = root.putObject("targets");
        r.targets.forEach(targets::put);
        ObjectNode workloads = root.putObject("workloads");
        for (WorkloadResult w : r.workloads.values()) {
            ObjectNode wn = workloads.putObject(w.key());
            wn.put("title", w.title());
            wn.put("description", w.description());
            Series direct = w.all().get(Goals.DIRECT);
            for (Map.Entry<String, Series> e : w.all().entrySet()) {
                ObjectNode tn = wn.putObject(e.getKey());
                Series s = e.getValue();
                Percentiles lat = Percentiles.latency(s);
                tn.put("requests", s.requests());
                tn.put("errors", s.errors());
                if (s.firstError() != null) {
                    tn.put("first_error", s.firstError());
                }
                tn.put("throughput_rps", round(s.throughput()));
                tn.set("latency_ms", percentiles(lat));
                if (w.stream()) {
                    tn.set("ttft_ms", percentiles(Percentiles.firstByte(s)));
                    tn.set("headers_ms", percentiles(Percentiles.head(s)));
                    tn.set("chunk_delay_ms", percentiles(Percentiles.chunkDelay(s)));
                }
                if (direct != null && !e.getKey().equals(Goals.DIRECT)) {
                    tn.set("latency_added_ms", percentiles(lat.minus(Percentiles.latency(direct))));
                    if (w.stream()) {
                        tn.set("ttft_added_ms", percentiles(Percentiles.firstByte(s).minus(Percentiles.firstByte(direct))));
                        tn.set("chunk_delay_added_ms",
                                percentiles(Percentiles.chunkDelay(s).minus(Percentiles.chunkDelay(direct))));
                    }
                    tn.put("throughput_ratio_vs_direct", round(direct.throughput() == 0 ? Double.NaN
                            : s.throughput() / direct.throughput()));
                }
                tn.put("server_cpu_s_per_1k", round(w.serverCpuPer1k(e.getKey())));
                tn.put("harness_cpu_s_per_1k", round(w.harnessCpuPer1k(e.getKey())));
            }
        }
        ObjectNode procs = root.putObject("processes");
        for (Map.Entry<String, RunResults.ProcessFacts> e : r.processes.entrySet()) {
            RunResults.ProcessFacts f = e.getValue();
            ObjectNode pn = procs.putObject(e.getKey());
            pn.put("process", f.process);
            pn.put("rss_peak_mib", mib(f.peakRssKb));
            pn.put("rss_peak_measured_mib", mib(f.measuredPeakRssKb));
            pn.put("rss_median_measured_mib", mib(f.measuredMedianRssKb()));
            pn.put("rss_idle_mib", mib(f.idleRssKb));
            pn.put("vm_hwm_mib", mib(f.hwmKb));
        }
        ObjectNode sidecar = root.putObject("sidecar_start");
        ArrayNode ready = sidecar.putArray("start_to_ready_ms");
        r.sidecarReadyMs.forEach(v -> ready.add(round(v)));
        ArrayNode live = sidecar.putArray("start_to_listening_ms");
        r.sidecarLiveMs.forEach(v -> live.add(round(v)));
        sidecar.put("median_start_to_ready_ms", round(r.medianSidecarReadyMs()));
        root.put("budgeted_key_honoured", r.budgetHonoured);
        ArrayNode goals = root.putArray("goals");
        for (Goals.Check c : Goals.check(r)) {
            goals.addObject().put("goal", c.goal()).put("measured", c.measured()).put("verdict", c.verdict().name());
        }
        if (r.jfr != null) {
            ObjectNode jn = root.putObject("jfr");
            jn.put("file", r.jfr.file().toString());
            jn.put("execution_samples", r.jfr.samples());
            jn.put("samples_with_tollgate_frame", r.jfr.samplesInTollgate());
            jn.set("top_frames_self", JSON.valueToTree(r.jfr.selfTop()));
            jn.set("nearest_tollgate_frame", JSON.valueToTree(r.jfr.nearestTollgate()));
            jn.set("tollgate_inclusive", JSON.valueToTree(r.jfr.inclusiveTollgate()));
            jn.set("allocation_bytes_by_nearest_tollgate_frame", JSON.valueToTree(r.jfr.allocationByTollgate()));
        }
        ArrayNode notes = root.putArray("notes");
        r.notes.forEach(notes::add);
        return root;
    }

    private static ObjectNode percentiles(Percentiles p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("mean", round(p.meanMs()));
        n.put("p50", round(p.p50Ms()));
        n.put("p90", round(p.p90Ms()));
        n.put("p99", round(p.p99Ms()));
        n.put("p99_9", round(p.p999Ms()));
        n.put("max", round(p.maxMs()));
        return n;
    }

    private static Double mib(long kb) {
        return kb < 0 ? null : round(kb / 1024.0);
    }

    private static Double round(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 10_000) / 10_000.0;
    }
}
