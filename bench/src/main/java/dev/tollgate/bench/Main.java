package dev.tollgate.bench;

import dev.tollgate.bench.process.Launcher;
import dev.tollgate.bench.process.Processes;
import dev.tollgate.bench.report.Goals;
import dev.tollgate.bench.report.JsonReport;
import dev.tollgate.bench.report.MarkdownReport;
import dev.tollgate.bench.report.RunResults;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** {@code ./tollgate bench}: parses flags, runs {@link Setup} and {@link Benchmark}, writes the reports. */
public final class Main {

    static final String HELP = """
            Usage: ./tollgate bench [--quick] [--peers] [--jfr] [--nginx PATH]

            Measures the sidecar's cost next to a direct call to the same upstream, in one run:
            a fake OpenAI-compatible upstream, the control plane (embedded PostgreSQL) and a sidecar
            start as processes on 127.0.0.1; targets alternate in short blocks so drift falls on all.
            Workloads: sequential (one client), sparse (one client, 20 ms apart), 16 and 64 connections for a
            fixed time, 100-chunk streams (time to first token, each chunk's delay), a budgeted key; sidecar RSS,
            CPU per 1,000 requests and start-to-ready time. Results: bench/results/bench-<time>.{json,md} and
            latest.{json,md}.

              --quick      a short run (about a minute) to check that everything works
              --peers      also measure Portkey's gateway 1.15.2 (npm, in bench/peers/portkey), nginx
                           as a plain keep-alive reverse proxy (the floor for one more HTTP hop) and three
                           TCP relays in a JVM: on one selector thread (the floor for an event-loop JVM
                           hop), on virtual threads (the sidecar's way of waiting for sockets) and on
                           platform threads
              --jfr        record the sidecar with JFR during the concurrent workloads and list its hot spots
              --nginx PATH the nginx binary                                        [found on PATH, /usr/sbin]

            Environment: TOLLGATE_JAVA_OPTS                extra JVM options for the sidecar (e.g. -Xmx256m)
                         TOLLGATE_CONTROL_PLANE_JAVA_OPTS  extra JVM options for the control plane (e.g. a profiler)
            """;

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean peers = false;
        boolean jfr = false;
        String nginx = null;
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--peers" -> peers = true;
                case "--jfr" -> jfr = true;
                case "--nginx" -> {
                    if (i + 1 >= args.length) {
                        usageError("--nginx needs a path");
                    }
                    nginx = args[++i];
                }
                case "--help", "-h" -> {
                    System.out.print(HELP);
                    return;
                }
                default -> usageError("unknown flag " + args[i]);
            }
        }
        BenchPlan plan = quick ? BenchPlan.quick(peers, jfr) : BenchPlan.full(peers, jfr);
        int code = run(plan, root, peers ? findNginx(nginx) : Optional.empty());
        System.exit(code);
    }

    static int run(BenchPlan plan, Path root, Optional<String> nginx) throws IOException, InterruptedException {
        RunResults results = new RunResults();
        String stamp = STAMP.format(results.startedAt);
        Path resultsDir = root.resolve("bench/results");
        Path runDir = resultsDir.resolve("run-" + stamp);
        Files.createDirectories(runDir);
        describeMachine(results);
        results.settings.putAll(plan.describe());
        List<String> sidecarOptions = javaOptions(System.getenv("TOLLGATE_JAVA_OPTS"));
        if (!sidecarOptions.isEmpty()) {
            results.settings.put("sidecar_extra_jvm_options", sidecarOptions);
        }
        List<String> controlPlaneOptions = javaOptions(System.getenv("TOLLGATE_CONTROL_PLANE_JAVA_OPTS"));
        if (!controlPlaneOptions.isEmpty()) {
            results.settings.put("control_plane_extra_jvm_options", controlPlaneOptions);
        }
        Setup.say("run folder " + runDir + " (logs in logs/)");
        try (Processes processes = new Processes()) {
            // The database and spool of this run are of no further use; logs and the JFR file stay.
            processes.afterStop(() -> deleteTree(runDir.resolve("control-plane")));
            processes.afterStop(() -> deleteTree(runDir.resolve("bench-sidecar")));
            Launcher launcher = new Launcher(root, runDir, processes, controlPlaneOptions);
            Setup.Stage stage;
            try {
                stage = new Setup(plan, launcher, processes, results, nginx, sidecarOptions).start();
            } catch (IllegalStateException e) {
                System.err.println("bench: could not start: " + e.getMessage());
                return 1;
            }
            try {
                new Benchmark(plan, stage, results, runDir).run();
            } finally {
                stage.mainArms().forEach(a -> a.pool().close());
                stage.sidecarBudget().pool().close();
            }
        }
        Path json = resultsDir.resolve("bench-" + stamp + ".json");
        Path md = resultsDir.resolve("bench-" + stamp + ".md");
        JsonReport.write(results, json);
        MarkdownReport.write(results, md);
        Files.copy(json, resultsDir.resolve("latest.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(md, resultsDir.resolve("latest.md"), StandardCopyOption.REPLACE_EXISTING);
        System.out.println();
        for (Goals.Check c : Goals.check(results)) {
            System.out.printf("  %-50s %-16s %s%n", c.goal(), c.measured(), c.verdict());
        }
        System.out.println();
        Setup.say("results: " + md + " and " + json);
        return 0;
    }

    private static void describeMachine(RunResults r) {
        r.machine.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        r.machine.put("kernel", read("/proc/sys/kernel/osrelease"));
        r.machine.put("java (harness, sidecar, control plane)", Runtime.version() + " " + System.getProperty("java.vm.name"));
        r.machine.put("sidecar JVM flags", String.join(" ", Launcher.TOLLGATE_JVM_FLAGS) + " "
                + String.join(" ", Launcher.SIDECAR_JVM_FLAGS) + " (as ./tollgate sidecar)");
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static List<String> javaOptions(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return new ArrayList<>(Arrays.asList(text.trim().split("\\s+")));
    }

    private static Optional<String> findNginx(String given) {
        if (given != null) {
            return Optional.of(given);
        }
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/sbin");
        dirs.add("/usr/local/sbin");
        return dirs.stream().map(d -> Path.of(d, "nginx")).filter(Files::isExecutable).map(Path::toString).findFirst();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static void usageError(String message) {
        System.err.println("tollgate bench: " + message + " (see --help)");
        System.exit(2);
    }
}
