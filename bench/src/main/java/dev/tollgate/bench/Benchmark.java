package dev.tollgate.bench;

import dev.tollgate.bench.load.LoadRunner;
import dev.tollgate.bench.load.Series;
import dev.tollgate.bench.process.Jcmd;
import dev.tollgate.bench.process.ManagedProcess;
import dev.tollgate.bench.process.ProcStat;
import dev.tollgate.bench.report.JfrSummary;
import dev.tollgate.bench.report.Percentiles;
import dev.tollgate.bench.report.RunResults;
import dev.tollgate.bench.report.TailExposure;
import dev.tollgate.bench.report.WorkloadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs the workloads of a plan against a started {@link Setup.Stage}: warm-up, sequential,
 * concurrent at each connection count, streaming, budgeted key; targets alternate block by
 * block, starting each round with the next one so that no target always follows the same other.
 * Samples the servers' memory all along and their CPU around each block.
 */
final class Benchmark {

    @FunctionalInterface
    private interface Block {
        void run(Arm arm, Series into) throws InterruptedException;
    }

    /** Compilations in a round of {@link #warmUntilJitQuiet()} below which the JIT counts as quiet. */
    private static final int JIT_QUIET = 10;

    private final BenchPlan plan;
    private final Setup.Stage stage;
    private final RunResults results;
    private final Path runDir;
    private final long selfPid = ProcessHandle.current().pid();
    private Settle settle;
    /** Set once the first measured workload begins (read by the RSS sampler). */
    private volatile boolean measuring;

    Benchmark(BenchPlan plan, Setup.Stage stage, RunResults results, Path runDir) {
        this.plan = plan;
        this.stage = stage;
        this.results = results;
        this.runDir = runDir;
    }

    void run() throws InterruptedException, IOException {
        List<Arm> arms = stage.mainArms();
        for (Arm arm : arms) {
            RunResults.ProcessFacts f = results.process(arm.id());
            f.process = arm.id().equals("direct") ? "fake upstream (the harness's, JVM)" : arm.server().name();
            f.pid = arm.server().pid();
            f.idleRssKb = arm.server().rssKb();
        }
        Optional<Long> postgres = PhaseCpu.postgresOf(runDir.resolve("control-plane"));
        PhaseCpu load = PhaseCpu.start(selfPid, stage.controlPlane().pid(), postgres, stage.sidecar().server().pid());
        List<Long> servers = new ArrayList<>(List.of(stage.sidecar().server().pid(), stage.controlPlane().pid()));
        postgres.ifPresent(servers::add);
        settle = new Settle(stage.sidecar().target().port(), servers);
        Thread sampler = Thread.ofVirtual().name("rss-sampler").start(() -> sampleRss(arms));
        try {
            warmUp(arms);
            warmUntilJitQuiet();
            settle("sequential");
            measuring = true;
            sequential(arms);
            settle("sparse");
            sparse(arms);
            concurrent(arms);
            settle("streaming");
            streaming(arms);
            settle("budgeted");
            budgeted();
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        for (Arm arm : arms) {
            results.process(arm.id()).hwmKb = ProcStat.treeStatusKb(arm.server().pid(), "VmHWM");
        }
        long sidecarRequests = results.workloads.values().stream()
                .flatMap(w -> w.all().entrySet().stream())
                .filter(e -> e.getKey().startsWith("sidecar"))
                .mapToLong(e -> e.getValue().requests())
                .sum();
        load.finish(results, sidecarRequests);
        loadGeneratorNote();
    }

    /**
     * Warms each target up until it has answered {@code warmupRequests} requests at 16
     * connections (so the sidecar's JIT has compiled its hot path) or {@code warmup} has passed,
     * then a few sequential requests and streams.
     */
    private void warmUp(List<Arm> arms) throws InterruptedException {
        Duration streamWarmup = plan.warmup().dividedBy(3);
        Setup.say("warming up each target (16 connections until " + plan.warmupRequests() + " requests or "
                + plan.warmup().toSeconds() + " s, then 200 sequential, then streams at 32 connections for "
                + streamWarmup.toMillis() + " ms, then as long short streams at 8)");
        for (Arm arm : arms) {
            Series discard = new Series();
            long deadline = System.nanoTime() + plan.warmup().toNanos();
            while (discard.requests() < plan.warmupRequests() && System.nanoTime() < deadline) {
                LoadRunner.concurrent(arm.pool(), LoadRunner.Kind.CHAT, 16, Duration.ofMillis(500), discard);
            }
            long concurrentRequests = discard.requests();
            LoadRunner.sequential(arm.pool(), LoadRunner.Kind.CHAT, 200, discard);
            // The streaming workload measures only 40 streams: without streams in the warm-up, the code
            // that runs once per stream (not per chunk) would still be interpreted while it is measured.
            long beforeStreams = discard.requests();
            LoadRunner.concurrent(arm.pool(), LoadRunner.Kind.STREAM, 32, streamWarmup, discard);
            // A measured stream takes 100 ms, so those are a few thousand at most: short streams (two
            // chunks, no gap) take the same once-per-stream path thousands of times more.
            LoadRunner.concurrent(arm.pool(), LoadRunner.Kind.WARM_UP_STREAM, 8, streamWarmup, discard);
            Setup.say("  " + arm.id() + ": " + concurrentRequests + " warm-up requests at 16 connections, "
                    + (discard.requests() - beforeStreams) + " warm-up streams");
            if (discard.errors() > 0) {
                results.notes.add("Warm-up of " + arm.id() + ": " + discard.errors() + " errors, first: "
                        + discard.firstError());
            }
        }
    }

    /**
     * After the first warm-up the sidecar's JIT compiler goes on compiling for a minute or more: the
     * paths that only some workloads take (64 connections, streams, the budgeted key) are still
     * interpreted or in their first compiled form, and a C2 compilation takes one of the two cores
     * for milliseconds, which a measurement would count as the sidecar's CPU and latency. A long-running
     * sidecar is past that, so rounds of every request kind run until a round leaves at most
     * {@value #JIT_QUIET} compilations (the sidecar logs each one to jit.log in its folder), or
     * {@link BenchPlan#jitQuiet()} passes. The report says how it ended.
     */
    private void warmUntilJitQuiet() throws InterruptedException, IOException {
        Path log = runDir.resolve(stage.sidecar().server().name()).resolve("jit.log");
        long start = System.nanoTime();
        long deadline = start + plan.jitQuiet().toNanos();
        Series discard = new Series();
        int rounds = 0;
        long compiled;
        do {
            long before = lines(log);
            Arm sidecar = stage.sidecar();
            LoadRunner.concurrent(sidecar.pool(), LoadRunner.Kind.CHAT, 16, Duration.ofMillis(500), discard);
            LoadRunner.concurrent(sidecar.pool(), LoadRunner.Kind.CHAT, 64, Duration.ofMillis(500), discard);
            LoadRunner.sequential(sidecar.pool(), LoadRunner.Kind.CHAT, 200, discard);
            LoadRunner.concurrent(sidecar.pool(), LoadRunner.Kind.STREAM, 32, Duration.ofMillis(300), discard);
            LoadRunner.concurrent(sidecar.pool(), LoadRunner.Kind.WARM_UP_STREAM, 8, Duration.ofMillis(300), discard);
            LoadRunner.sequential(stage.sidecarBudget().pool(), LoadRunner.Kind.CHAT, 200, discard);
            compiled = lines(log) - before;
            rounds++;
        } while (compiled > JIT_QUIET && System.nanoTime() < deadline);
        String how = String.format(Locale.ROOT, "JIT warm-up of the sidecar: %d rounds of every request kind "
                + "(%d requests) in %.1f s; the last round compiled %d methods%s.", rounds, discard.requests(),
                (System.nanoTime() - start) / 1e9, compiled, compiled > JIT_QUIET
                        ? " (more than " + JIT_QUIET + ": the time limit ended the warm-up)" : "");
        Setup.say("  " + how);
        results.notes.add(how);
        if (discard.errors() > 0) {
            results.notes.add("JIT warm-up: " + discard.errors() + " errors, first: " + discard.firstError());
        }
    }

    /** Lines in {@code file}, 0 while it does not exist. */
    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        long n = 0;
        for (byte b : Files.readAllBytes(file)) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    /**
     * Requests one at a time with a pause before each: what an app that calls now and then meets.
     * Not a goal of the issue; reported because the back-to-back sequential workload never lets a
     * target go idle, and waking up after idle is where the sidecar's cost grows most.
     */
    private void sparse(List<Arm> arms) throws InterruptedException {
        WorkloadResult w = results.workload("sparse", "Sparse: one client, " + plan.sparseCount() + " requests per target, "
                + plan.sparsePause().toMillis() + " ms apart", "One keep-alive connection; before each request the client is "
                + "silent for " + plan.sparsePause().toMillis() + " ms (not timed), so every request finds the target idle "
                + "(an app calling now and then); blocks of " + plan.sparseBlock() + " requests alternate between targets. "
                + "Req/s is per second of the requests' own time; server CPU includes what the server did during the "
                + "pauses (the sidecar uploads each request's usage record at its next 50 ms tick).", false);
        alternate(w, arms, plan.sparseCount() / plan.sparseBlock(),
                (arm, into) -> LoadRunner.paced(arm.pool(), LoadRunner.Kind.CHAT, plan.sparseBlock(), plan.sparsePause(),
                        into));
        summary(w, false);
    }

    private void sequential(List<Arm> arms) throws InterruptedException {
        WorkloadResult w = results.workload("sequential", "Sequential: one client, " + plan.sequentialCount()
                + " requests per target", "One keep-alive connection, next request when the answer is in; blocks of "
                + plan.sequentialBlock() + " requests alternate between targets.", false);
        alternate(w, arms, plan.sequentialCount() / plan.sequentialBlock(),
                (arm, into) -> LoadRunner.sequential(arm.pool(), LoadRunner.Kind.CHAT, plan.sequentialBlock(), into));
        summary(w, false);
        results.notes.add(TailExposure.note("Sequential tail", w.all(), 500_000));
        results.notes.add(TailExposure.blockStartNote("Sequential block starts", w.all(), 500_000));
    }

    private void concurrent(List<Arm> arms) throws InterruptedException, IOException {
        ManagedProcess sidecar = stage.sidecar().server();
        Path jfrFile = runDir.resolve("sidecar-concurrent.jfr");
        if (plan.jfr()) {
            Setup.say("JFR: " + Jcmd.startRecording(sidecar.pid()).lines().reduce((a, b) -> b).orElse(""));
        }
        for (int c : plan.concurrency()) {
            settle("concurrent_" + c);
            double seconds = plan.concurrentBlock().toMillis() * plan.concurrentRounds() / 1000.0;
            WorkloadResult w = results.workload("concurrent_" + c, c + " connections, " + fmt(seconds) + " s per target",
                    c + " keep-alive connections, one virtual thread each, closed loop; blocks of "
                            + plan.concurrentBlock().toMillis() + " ms alternate between targets.", false);
            alternate(w, arms, plan.concurrentRounds(), (arm, into) ->
                    LoadRunner.concurrent(arm.pool(), LoadRunner.Kind.CHAT, c, plan.concurrentBlock(), into));
            summary(w, false);
        }
        if (plan.jfr()) {
            Jcmd.stopRecording(sidecar.pid(), jfrFile);
            if (Files.isRegularFile(jfrFile)) {
                results.jfr = JfrSummary.read(jfrFile);
                Setup.say("JFR recording of the concurrent workloads: " + jfrFile + " (" + results.jfr.samples()
                        + " execution samples)");
            }
        }
    }

    private void streaming(List<Arm> arms) throws InterruptedException {
        WorkloadResult w = results.workload("streaming", "Streaming: " + plan.streamCount() + " streams of "
                + plan.streamChunks() + " chunks per target", "One client; the fake upstream sends " + plan.streamChunks()
                + " chunks " + plan.streamGapMicros() + " us apart, then usage (when asked) and [DONE]. TTFT = time to "
                + "the first body byte (the first chunk); headers = time to the response headers; total = time to "
                + "the end of the stream; chunk delay = each chunk's time from the upstream's send (stamped in its "
                + "id) to its arrival at the client, and chunk added = that through the target minus directly, "
                + "the hop's cost per chunk. Blocks of " + plan.streamBlock()
                + " streams alternate.", true);
        alternate(w, arms, plan.streamCount() / plan.streamBlock(),
                (arm, into) -> LoadRunner.sequential(arm.pool(), LoadRunner.Kind.STREAM, plan.streamBlock(), into));
        summary(w, true);
    }

    private void budgeted() throws InterruptedException {
        List<Arm> arms = List.of(stage.direct(), stage.sidecar(), stage.sidecarBudget());
        WorkloadResult w = results.workload("budgeted", "Budgeted key, sequential: " + plan.budgetCount()
                + " requests per target", (results.budgetHonoured ? "A key created with max_budget"
                : "A second plain key (max_budget is not supported yet)") + ", usage recorded for every request; "
                + "the same sidecar with the plain key beside it.", false);
        LoadRunner.sequential(stage.sidecarBudget().pool(), LoadRunner.Kind.CHAT, 200, new Series());
        alternate(w, arms, plan.budgetCount() / plan.sequentialBlock(),
                (arm, into) -> LoadRunner.sequential(arm.pool(), LoadRunner.Kind.CHAT, plan.sequentialBlock(), into));
        summary(w, false);
        results.notes.add(TailExposure.note("Budgeted key tail", w.all(), 500_000));
    }

    private void alternate(WorkloadResult w, List<Arm> arms, int rounds, Block block) throws InterruptedException {
        for (Arm arm : arms) {
            w.series(arm.id()); // report order = arm order
        }
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < arms.size(); k++) {
                Arm arm = arms.get((round + k) % arms.size());
                long server0 = arm.server().cpuTicks();
                long self0 = ProcStat.cpuTicks(selfPid);
                block.run(arm, w.series(arm.id()));
                w.cost(arm.id()).add(arm.server().cpuTicks() - server0, ProcStat.cpuTicks(selfPid) - self0);
            }
        }
    }

    /** Lets the servers finish what the last workload set going (see {@link Settle}); notes how long it took. */
    private void settle(String before) throws InterruptedException {
        String line = settle.await(before);
        Setup.say("  " + line);
        results.notes.add(line);
    }

    private void sampleRss(List<Arm> arms) {
        while (!Thread.currentThread().isInterrupted()) {
            for (Arm arm : arms) {
                results.process(arm.id()).sampleRss(arm.server().rssKb(), measuring);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void summary(WorkloadResult w, boolean stream) {
        StringBuilder line = new StringBuilder(w.key()).append(':');
        w.all().forEach((id, s) -> {
            Percentiles p = stream ? Percentiles.firstByte(s) : Percentiles.latency(s);
            line.append(String.format(Locale.ROOT, "  %s %s p50 %.3f ms p99 %.3f ms, %.0f req/s%s%s", id,
                    stream ? "TTFT" : "", p.p50Ms(), p.p99Ms(), s.throughput(),
                    stream ? String.format(Locale.ROOT, ", chunk delay p50 %.3f ms", Percentiles.chunkDelay(s).p50Ms()) : "",
                    s.errors() > 0 ? " (" + s.errors() + " errors)" : ""));
        });
        Setup.say(line.toString());
    }

    private void loadGeneratorNote() {
        WorkloadResult c64 = results.workloads.get("concurrent_64");
        if (c64 == null) {
            return;
        }
        Series direct = c64.all().get("direct");
        Series sidecar = c64.all().get("sidecar");
        results.notes.add(String.format(Locale.ROOT, "Load generator check: against the fake upstream directly it "
                        + "drove %.0f req/s at 64 connections (harness %.3f CPU s per 1k requests, upstream %.3f), "
                        + "%.1fx what the sidecar sustained (%.0f req/s); so the generator is not what limits the "
                        + "sidecar's figures. On 2 cores all processes share the CPU, so every throughput here is "
                        + "that of the whole chain (generator + proxy + upstream), not of the proxy alone.",
                direct.throughput(), c64.harnessCpuPer1k("direct"), c64.serverCpuPer1k("direct"),
                direct.throughput() / Math.max(1, sidecar.throughput()), sidecar.throughput()));
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
