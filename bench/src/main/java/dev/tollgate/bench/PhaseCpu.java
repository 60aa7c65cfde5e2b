package dev.tollgate.bench;

import dev.tollgate.bench.process.ProcStat;
import dev.tollgate.bench.report.RunResults;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * CPU over the whole measured phase: of the machine, of the benchmark's own processes, of the
 * sidecar (including what it does between its blocks, such as uploading usage), and of the
 * control plane with its PostgreSQL (ingesting that usage). Confined to the run's thread.
 */
final class PhaseCpu {

    private final long selfPid;
    private final long controlPlanePid;
    private final long postgresPid;
    private final long sidecarPid;
    private final long t0 = System.nanoTime();
    private final String loadBefore = ProcStat.loadAverage();
    private final long busy0;
    private final long ours0;
    private final long controlPlane0;
    private final long sidecar0;

    private PhaseCpu(long selfPid, long controlPlanePid, long postgresPid, long sidecarPid) {
        this.selfPid = selfPid;
        this.controlPlanePid = controlPlanePid;
        this.postgresPid = postgresPid;
        this.sidecarPid = sidecarPid;
        this.busy0 = MachineCpu.busyTicks();
        this.ours0 = ours();
        this.controlPlane0 = controlPlane();
        this.sidecar0 = ProcStat.cpuTicks(sidecarPid);
    }

    static PhaseCpu start(long selfPid, long controlPlanePid, Optional<Long> postgresPid, long sidecarPid) {
        return new PhaseCpu(selfPid, controlPlanePid, postgresPid.orElse(-1L), sidecarPid);
    }

    /**
     * The embedded PostgreSQL's postmaster for a control-plane data folder: {@code pg_ctl} starts it
     * detached, so it is not a child of the control plane; it is recognised by its {@code -D} folder.
     */
    static Optional<Long> postgresOf(Path controlPlaneDataDir) {
        String dir = controlPlaneDataDir.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(dir)).orElse(false))
                .map(ProcessHandle::pid)
                .findFirst();
    }

    /** The harness and everything it started (all its descendants), plus the detached PostgreSQL. */
    private long ours() {
        return ProcStat.treeCpuTicks(selfPid) + (postgresPid > 0 ? ProcStat.treeCpuTicks(postgresPid) : 0);
    }

    private long controlPlane() {
        return ProcStat.treeCpuTicks(controlPlanePid) + (postgresPid > 0 ? ProcStat.treeCpuTicks(postgresPid) : 0);
    }

    void finish(RunResults results, long sidecarRequests) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        double tick = ProcStat.CLOCK_TICKS_PER_SECOND;
        long busy = MachineCpu.busyTicks() - busy0;
        long mine = ours() - ours0;
        results.machine.put("load average (1/5/15 min) before measuring", loadBefore);
        results.machine.put("load average (1/5/15 min) after measuring", ProcStat.loadAverage());
        results.machine.put("CPU busy while measuring (cores: whole machine / benchmark processes / others)",
                String.format(Locale.ROOT, "%.2f / %.2f / %.2f over %.0f s", busy / tick / seconds, mine / tick / seconds,
                        Math.max(0, busy - mine) / tick / seconds, seconds));
        if (sidecarRequests > 0) {
            double per1k = 1000.0 / sidecarRequests / tick;
            results.notes.add(String.format(Locale.ROOT, "Whole measured phase: the sidecar used %.3f CPU s per 1k of "
                            + "its requests (including usage upload between its blocks); the control plane and its "
                            + "PostgreSQL used %.3f CPU s per 1k sidecar requests to ingest their usage records%s.",
                    (ProcStat.cpuTicks(sidecarPid) - sidecar0) * per1k, (controlPlane() - controlPlane0) * per1k,
                    postgresPid > 0 ? "" : " (PostgreSQL process not found: control plane JVM only)"));
        }
    }
}
