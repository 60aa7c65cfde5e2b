package dev.tollgate.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of each workload a run does. Every phase is bounded in count or time; a full run
 * takes about three minutes of load plus start-up, a quick one well under a minute.
 *
 * @param peers            also measure Portkey's gateway and nginx
 * @param jfr              record the sidecar with JFR during the concurrent workloads
 * @param warmup           at most this long per target, at 16 connections, before anything is measured
 * @param warmupRequests   or until the target has answered this many warm-up requests
 * @param jitQuiet         then rounds of every request kind through the sidecar until its JIT compiler is
 *                         quiet, at most this long
 * @param sequentialCount  requests per target, one client
 * @param sequentialBlock  requests per block before switching target
 * @param concurrency      connection counts of the concurrent workloads
 * @param concurrentBlock  length of one block
 * @param concurrentRounds blocks per target and connection count
 * @param streamChunks     chunks in a streamed answer of the fake upstream
 * @param streamGapMicros  gap between two chunks
 * @param streamCount      streams per target, one client
 * @param streamBlock      streams per block
 * @param budgetCount      requests per target in the budgeted-key workload
 * @param sparseCount      requests per target in the sparse workload (one client, a pause before each)
 * @param sparseBlock      sparse requests per block before switching target
 * @param sparsePause      the pause before each sparse request
 * @param sidecarStarts    sidecar starts timed (the last one is measured under load)
 */
record BenchPlan(boolean quick, boolean peers, boolean jfr, Duration warmup, int warmupRequests, Duration jitQuiet,
                 int sequentialCount,
                 int sequentialBlock,
                 List<Integer> concurrency, Duration concurrentBlock, int concurrentRounds, int streamChunks,
                 long streamGapMicros, int streamCount, int streamBlock, int budgetCount, int sparseCount,
                 int sparseBlock, Duration sparsePause, int sidecarStarts) {

    BenchPlan {
        concurrency = List.copyOf(concurrency);
        if (sequentialBlock <= 0 || sequentialCount % sequentialBlock != 0) {
            throw new IllegalArgumentException("sequentialCount " + sequentialCount + " (expected: a multiple of "
                    + "sequentialBlock " + sequentialBlock + ")");
        }
        if (streamBlock <= 0 || streamCount % streamBlock != 0) {
            throw new IllegalArgumentException("streamCount " + streamCount + " (expected: a multiple of streamBlock "
                    + streamBlock + ")");
        }
        if (budgetCount % sequentialBlock != 0) {
            throw new IllegalArgumentException("budgetCount " + budgetCount + " (expected: a multiple of "
                    + "sequentialBlock " + sequentialBlock + ")");
        }
        if (sparseBlock <= 0 || sparseCount % sparseBlock != 0) {
            throw new IllegalArgumentException("sparseCount " + sparseCount + " (expected: a multiple of sparseBlock "
                    + sparseBlock + ")");
        }
        if (sidecarStarts < 1 || sidecarStarts > 10) {
            throw new IllegalArgumentException("sidecarStarts " + sidecarStarts + " (expected: 1..10)");
        }
    }

    static BenchPlan full(boolean peers, boolean jfr) {
        return new BenchPlan(false, peers, jfr, Duration.ofSeconds(15), 30_000, Duration.ofSeconds(60), 2000, 100,
                List.of(16, 64),
                Duration.ofSeconds(1), 10, 100, 1000, 40, 5, 1000, 200, 20, Duration.ofMillis(20), 3);
    }

    static BenchPlan quick(boolean peers, boolean jfr) {
        return new BenchPlan(true, peers, jfr, Duration.ofSeconds(2), 3_000, Duration.ofSeconds(3), 300, 50,
                List.of(16, 64),
                Duration.ofMillis(500), 2, 100, 1000, 10, 5, 200, 40, 20, Duration.ofMillis(20), 1);
    }

    /** The plan as it goes into the report. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", quick ? "quick" : "full");
        m.put("peers", peers);
        m.put("warmup_max_s_per_target", warmup.toMillis() / 1000.0);
        m.put("warmup_requests_per_target", warmupRequests);
        m.put("jit_quiet_max_s", jitQuiet.toMillis() / 1000.0);
        m.put("sequential_requests", sequentialCount);
        m.put("sequential_block", sequentialBlock);
        m.put("concurrency", concurrency);
        m.put("concurrent_seconds_per_target", concurrentBlock.toMillis() * concurrentRounds / 1000.0);
        m.put("concurrent_block_ms", concurrentBlock.toMillis());
        m.put("stream_chunks", streamChunks);
        m.put("stream_gap_us", streamGapMicros);
        m.put("streams", streamCount);
        m.put("budget_requests", budgetCount);
        m.put("sparse_requests", sparseCount);
        m.put("sparse_pause_ms", sparsePause.toMillis());
        m.put("sidecar_starts", sidecarStarts);
        return m;
    }
}
