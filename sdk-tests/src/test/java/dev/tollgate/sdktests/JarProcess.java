package dev.tollgate.sdktests;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Tollgate jar run as its own process, the way {@code ./tollgate} runs it, with its output in
 * a log file under {@code target/e2e-logs} (the canary tests read those files).
 */
final class JarProcess implements AutoCloseable {

    static final Path ROOT = Path.of(System.getProperty("tollgate.root", "..")).toAbsolutePath().normalize();
    static final Path LOGS = ROOT.resolve("sdk-tests/target/e2e-logs");
    static final Path CONTROL_PLANE_JAR = ROOT.resolve("control-plane/target/tollgate-control-plane.jar");
    static final Path SIDECAR_JAR = ROOT.resolve("sidecar/target/tollgate-sidecar.jar");

    private final Process process;
    private final Path log;

    private JarProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static JarProcess start(String name, Path jar, List<String> args, Map<String, String> env) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests through 'mvn verify' (./tollgate test), "
                    + "which packages the jars before this module runs");
        }
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("TOLLGATE_"));
        builder.environment().putAll(env);
        return new JarProcess(builder.start(), log);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** SIGTERM, and wait for the shutdown hooks to finish. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM without waiting (what an orchestrator sends first). */
    void sigterm() {
        process.destroy();
    }

    /** Waits for the process to exit; its exit code, or empty when it still runs after {@code max}. */
    java.util.OptionalInt awaitExit(java.time.Duration max) throws InterruptedException {
        return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)
                ? java.util.OptionalInt.of(process.exitValue()) : java.util.OptionalInt.empty();
    }

    /** SIGKILL: no shutdown hook runs (a crash). */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
