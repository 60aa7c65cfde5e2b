package dev.tollgate.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts each program of a run as its own process on loopback and waits until it answers: the
 * fake upstream, the control plane (embedded PostgreSQL), the sidecar, Portkey's gateway and
 * nginx. Every process is registered with {@link Processes} so that it is stopped by PID.
 */
public final class Launcher {

    /** JVM flags the {@code ./tollgate} launcher gives the control plane and the sidecar. */
    public static final List<String> TOLLGATE_JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC");
    /**
     * The sidecar's own memory bounds, as the launcher's SIDECAR_JAVA_OPTS (after the flags above), with
     * compact object headers on JDK 25 and later as the launcher adds them (the sidecar runs on this JVM).
     */
    public static final List<String> SIDECAR_JVM_FLAGS = sidecarFlags(Runtime.version().feature());

    static List<String> sidecarFlags(int javaFeature) {
        List<String> flags = new ArrayList<>(List.of("-Xms64m", "-Xmx128m", "-Xmn16m", "-XX:SurvivorRatio=3",
                "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m", "-Xss512k", "-Djdk.pollerMode=1",
                "-XX:TrimNativeHeapInterval=1000"));
        if (javaFeature >= 25) {
            flags.add("-XX:+UseCompactObjectHeaders");
        }
        return List.copyOf(flags);
    }
    /** The launcher's malloc bound for every JVM it starts (MALLOC_ARENA_MAX unless set). */
    public static final Map<String, String> MALLOC_ENV = Map.of("MALLOC_ARENA_MAX",
            System.getenv().getOrDefault("MALLOC_ARENA_MAX", "2"));

    private final Path root;
    private final Path runDir;
    private final Processes processes;
    private final String java;
    private final List<String> controlPlaneOptions;

    /** @param controlPlaneOptions JVM options for the control plane after the launcher's flags */
    public Launcher(Path root, Path runDir, Processes processes, List<String> controlPlaneOptions) {
        this.root = root;
        this.runDir = runDir;
        this.processes = processes;
        this.controlPlaneOptions = List.copyOf(controlPlaneOptions);
        this.java = ProcessHandle.current().info().command().orElse("java");
    }

    public Path controlPlaneJar() {
        return root.resolve("control-plane/target/tollgate-control-plane.jar");
    }

    public Path sidecarJar() {
        return root.resolve("sidecar/target/tollgate-sidecar.jar");
    }

    public Path portkeyScript() {
        return root.resolve("bench/peers/portkey/node_modules/@portkey-ai/gateway/build/start-server.js");
    }

    /** The fake upstream, in a JVM of its own from the harness's class path. */
    public ManagedProcess upstream(int port, int streamChunks, long gapMicros) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), "dev.tollgate.bench.upstream.FakeUpstream",
                "--port", Integer.toString(port), "--chunks", Integer.toString(streamChunks),
                "--gap-us", Long.toString(gapMicros)));
        ManagedProcess p = processes.add(ManagedProcess.start("upstream", cmd, Map.of(), runDir, log("upstream")));
        awaitOk(p, "http://127.0.0.1:" + port + "/health", Duration.ofSeconds(30));
        return p;
    }

    /**
     * A JVM relay peer, in a JVM of its own with the sidecar's collector, memory and poller flags;
     * {@code threads}: {@code event-loop} (one selector thread), {@code virtual} or {@code platform}
     * (a thread per direction).
     */
    public ManagedProcess jvmRelay(int port, int upstreamPort, String threads) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(TOLLGATE_JVM_FLAGS);
        cmd.addAll(SIDECAR_JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.tollgate.bench.peers.JvmRelay",
                "--port", Integer.toString(port), "--upstream-port", Integer.toString(upstreamPort),
                "--threads", threads));
        String name = "jvm-relay-" + threads;
        return processes.add(ManagedProcess.start(name, cmd, MALLOC_ENV, runDir, log(name)));
    }

    /** The control plane on {@code configYaml}, with its embedded PostgreSQL under the run folder. */
    public ManagedProcess controlPlane(String configYaml, int adminPort, int grpcPort, Map<String, String> env)
            throws IOException, InterruptedException {
        requireFile(controlPlaneJar());
        Path config = runDir.resolve("control-plane.yaml");
        Files.writeString(config, configYaml);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(TOLLGATE_JVM_FLAGS);
        cmd.addAll(controlPlaneOptions);
        cmd.addAll(List.of("-jar", controlPlaneJar().toString(), "--config", config.toString(),
                "--admin-port", Integer.toString(adminPort), "--admin-host", "127.0.0.1",
                "--grpc-port", Integer.toString(grpcPort), "--grpc-host", "127.0.0.1",
                "--data-dir", runDir.resolve("control-plane").toString()));
        ManagedProcess p = processes.add(ManagedProcess.start("control-plane", cmd, env, runDir, log("control-plane")));
        awaitOk(p, "http://127.0.0.1:" + adminPort + "/health/readiness", Duration.ofSeconds(120));
        return p;
    }

    /** A started sidecar and how long it took from process start to readiness (policy held). */
    public record SidecarStart(ManagedProcess process, long readyNanos, long liveNanos) {
    }

    /**
     * Starts a sidecar and polls its liveness and readiness every 5 ms to time its start.
     * {@code jvmOptions} come after the launcher's own flags and the sidecar's bounds (TOLLGATE_JAVA_OPTS, JFR).
     */
    public SidecarStart sidecar(String name, int port, int grpcPort, List<String> jvmOptions, Map<String, String> env)
            throws IOException, InterruptedException {
        requireFile(sidecarJar());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(TOLLGATE_JVM_FLAGS);
        cmd.addAll(SIDECAR_JVM_FLAGS);
        // As the launcher: a class-data archive in the sidecar's data folder, written when the first
        // start exits and mapped by the later ones.
        cmd.addAll(List.of("-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=" + runDir.resolve(name).resolve("sidecar.jsa"), "-Xlog:cds=off"));
        // One line per JIT compilation, so the warm-up can wait until the compiler is quiet.
        Files.createDirectories(runDir.resolve(name));
        cmd.add("-Xlog:jit+compilation=debug:file=" + runDir.resolve(name).resolve("jit.log") + ":none");
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", sidecarJar().toString(), "--port", Integer.toString(port),
                "--control-plane", "127.0.0.1:" + grpcPort, "--data-dir", runDir.resolve(name).toString(),
                "--name", name));
        Map<String, String> withMalloc = new java.util.HashMap<>(MALLOC_ENV);
        withMalloc.putAll(env);
        ManagedProcess p = processes.add(ManagedProcess.start(name, cmd, withMalloc, runDir, log(name)));
        String base = "http://127.0.0.1:" + port;
        long[] live = {0};
        boolean ready = SetupHttp.await(Duration.ofSeconds(60), 5, () -> {
            if (!p.alive()) {
                return true;
            }
            if (live[0] == 0 && SetupHttp.get(base + "/health/liveliness", null) == 200) {
                live[0] = System.nanoTime();
            }
            return live[0] != 0 && SetupHttp.get(base + "/health/readiness", null) == 200;
        });
        long readyAt = System.nanoTime();
        if (!ready || !p.alive()) {
            throw new IllegalStateException("sidecar " + name + " did not become ready within 60 s; its log "
                    + p.log() + " ends:\n" + p.logTail(20));
        }
        return new SidecarStart(p, readyAt - p.startedNanos(), live[0] - p.startedNanos());
    }

    /** Portkey's gateway under Node, headless, on {@code port}. */
    public ManagedProcess portkey(int port) throws IOException {
        requireFile(portkeyScript());
        List<String> cmd = List.of("node", portkeyScript().toString(), "--headless", "--port=" + port);
        return processes.add(ManagedProcess.start("portkey", cmd, Map.of(), root.resolve("bench/peers/portkey"),
                log("portkey")));
    }

    /**
     * nginx as a plain reverse proxy with a keep-alive upstream pool (the floor for one more HTTP
     * hop): master in the foreground, one worker per core, no access log, no buffering (streams).
     */
    public ManagedProcess nginx(String binary, int port, int upstreamPort) throws IOException {
        Path dir = runDir.resolve("nginx");
        Files.createDirectories(dir);
        String conf = """
                daemon off;
                master_process on;
                worker_processes auto;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    keepalive_timeout 300s;
                    keepalive_requests 1000000;
                    upstream fake_openai {
                        server 127.0.0.1:%2$d;
                        keepalive 256;
                        keepalive_requests 1000000;
                        keepalive_timeout 300s;
                    }
                    server {
                        listen 127.0.0.1:%3$d;
                        location / {
                            proxy_pass http://fake_openai;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_buffering off;
                        }
                    }
                }
                """.formatted(dir, upstreamPort, port);
        Path confFile = dir.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        List<String> cmd = List.of(binary, "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", confFile.toString());
        return processes.add(ManagedProcess.start("nginx", cmd, Map.of(), dir, log("nginx")));
    }

    private Path log(String name) {
        return runDir.resolve("logs").resolve(name + ".log");
    }

    private static void awaitOk(ManagedProcess p, String url, Duration deadline) throws InterruptedException {
        boolean ok = SetupHttp.await(deadline, 25, () -> !p.alive() || SetupHttp.get(url, null) == 200);
        if (!ok || !p.alive()) {
            throw new IllegalStateException(p.name() + " did not answer " + url + " within " + deadline.toSeconds()
                    + " s; its log " + p.log() + " ends:\n" + p.logTail(20));
        }
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: run the benchmark through ./tollgate bench, which "
                    + "builds the jars and installs the peers first");
        }
    }
}
