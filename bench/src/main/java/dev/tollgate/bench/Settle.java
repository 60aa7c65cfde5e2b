package dev.tollgate.bench;

import dev.tollgate.bench.process.ProcStat;
import dev.tollgate.bench.process.SetupHttp;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Waits, before each measured workload, until what the one before set going has finished, so that
 * a workload is not measured against the tail of its predecessor: the sidecar holds no usage
 * waiting for the control plane (else the control plane and PostgreSQL would still be ingesting
 * it, on the same two cores), and the servers are quiet over a short window (no JIT compilation or
 * collection still running). Bounded; what it waited is reported. Confined to the run's thread.
 */
final class Settle {

    static final Duration MAX_WAIT = Duration.ofSeconds(20);
    private static final long WINDOW_MS = 300;
    /** CPU ticks (10 ms each) all servers together may use in a window: 10% of one core. */
    private static final long QUIET_TICKS = 3;

    private final String metricsUrl;
    private final List<Long> serverPids;

    /** @param serverPids process trees whose CPU must be quiet (sidecar, control plane, PostgreSQL) */
    Settle(int sidecarPort, List<Long> serverPids) {
        this.metricsUrl = "http://127.0.0.1:" + sidecarPort + "/metrics";
        this.serverPids = List.copyOf(serverPids);
    }

    /** Waits until settled or {@link #MAX_WAIT}; returns a line saying which and how long it took. */
    String await(String before) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + MAX_WAIT.toNanos();
        OptionalLong depth = OptionalLong.empty();
        long ticks = -1;
        while (System.nanoTime() < deadline) {
            depth = spoolDepth();
            if (depth.orElse(1) == 0) {
                long cpu0 = cpuTicks();
                Thread.sleep(WINDOW_MS);
                ticks = cpuTicks() - cpu0;
                if (ticks <= QUIET_TICKS && spoolDepth().orElse(1) == 0) {
                    return String.format(Locale.ROOT, "Before %s: settled after %d ms (no usage waiting, servers used "
                            + "%d%% of a core over the last %d ms).", before, (System.nanoTime() - t0) / 1_000_000,
                            ticks * 10 * 100 / WINDOW_MS, WINDOW_MS);
                }
            } else {
                Thread.sleep(50);
            }
        }
        return String.format(Locale.ROOT, "Before %s: NOT settled after %d s (usage waiting: %s; servers' CPU in the "
                        + "last window: %s ticks); measured anyway.", before, MAX_WAIT.toSeconds(),
                depth.isPresent() ? Long.toString(depth.getAsLong()) : "unknown", ticks < 0 ? "not measured" : ticks);
    }

    private long cpuTicks() {
        long sum = 0;
        for (long pid : serverPids) {
            sum += ProcStat.treeCpuTicks(pid);
        }
        return sum;
    }

    /** The sidecar's {@code tollgate_usage_spool_depth}, or empty when it cannot be read. */
    private OptionalLong spoolDepth() {
        return SetupHttp.getBody(metricsUrl).flatMap(body -> body.lines()
                        .filter(l -> l.startsWith("tollgate_usage_spool_depth"))
                        .findFirst())
                .map(l -> OptionalLong.of((long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))))
                .orElse(OptionalLong.empty());
    }
}
