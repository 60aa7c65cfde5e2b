package dev.tollgate.sdktests;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A control plane (embedded PostgreSQL) and a sidecar started as separate processes on free
 * ports, as {@code ./tollgate dev} starts them. Either can be stopped and started again.
 */
final class Stack implements AutoCloseable {

    static final String MASTER_KEY = "sk-master-CANARY-7f3a9c";
    static final String SIDECAR_TOKEN = "sidecar-token-CANARY-41d2";

    final String name;
    final Path dataDir;
    final Path config;
    final Map<String, String> extraEnv;
    final int adminPort;
    final int grpcPort;
    final int sidecarPort;
    JarProcess controlPlane;
    JarProcess sidecar;
    /** Flags added to every control-plane start (e.g. TLS). */
    List<String> controlPlaneArgs = List.of();
    private int restarts;

    Stack(String name, Path dataDir, String configYaml, Map<String, String> extraEnv) throws IOException {
        this.name = name;
        this.dataDir = dataDir;
        this.config = dataDir.resolve("config.yaml");
        Files.createDirectories(dataDir);
        Files.writeString(config, configYaml);
        this.extraEnv = Map.copyOf(extraEnv);
        this.adminPort = JarProcess.freePort();
        this.grpcPort = JarProcess.freePort();
        this.sidecarPort = JarProcess.freePort();
    }

    String admin() {
        return "http://127.0.0.1:" + adminPort;
    }

    String sidecarUrl() {
        return "http://127.0.0.1:" + sidecarPort;
    }

    /** Starts both stacks' control planes at the same moment, so that migration and seeding race on one database. */
    static void startControlPlanesAtOnce(Stack a, Stack b) throws IOException, InterruptedException {
        java.util.concurrent.CompletableFuture<Void> startingB = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                b.startControlPlane();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        a.startControlPlane();
        startingB.join();
    }

    void startControlPlane() throws IOException, InterruptedException {
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("TOLLGATE_MASTER_KEY", MASTER_KEY);
        env.put("TOLLGATE_SIDECAR_TOKEN", SIDECAR_TOKEN);
        List<String> args = new java.util.ArrayList<>(List.of("--config", config.toString(),
                "--admin-port", Integer.toString(adminPort), "--grpc-port", Integer.toString(grpcPort),
                "--grpc-host", "127.0.0.1", "--data-dir", dataDir.resolve("control-plane").toString()));
        args.addAll(controlPlaneArgs);
        controlPlane = JarProcess.start(name + "-control-plane" + (restarts++ == 0 ? "" : "-" + restarts),
                JarProcess.CONTROL_PLANE_JAR, args, env);
        if (!Http.await(Duration.ofSeconds(90), () -> Http.ok(admin() + "/health/readiness") || !controlPlane.alive())
                || !controlPlane.alive()) {
            throw new IllegalStateException("control plane did not become ready; see " + controlPlane.log());
        }
    }

    void startSidecar() throws IOException {
        sidecar = startSidecar("sidecar", sidecarPort);
    }

    /** Another sidecar of this stack (its own port, spool and name), for multi-sidecar tests. */
    JarProcess startSidecar(String id, int port) throws IOException {
        return startSidecar(id, port, "127.0.0.1:" + grpcPort);
    }

    /** Another sidecar of this stack given {@code controlPlane} (e.g. several replicas) as --control-plane. */
    JarProcess startSidecar(String id, int port, String controlPlane) throws IOException {
        return startSidecar(id, port, controlPlane, List.of(), Map.of("TOLLGATE_SIDECAR_TOKEN", SIDECAR_TOKEN));
    }

    /** Another sidecar with flags of its own (TLS, --token-file) and its own environment. */
    JarProcess startSidecar(String id, int port, String controlPlane, List<String> extraArgs, Map<String, String> env)
            throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("--port", Integer.toString(port), "--control-plane",
                controlPlane, "--data-dir", dataDir.resolve(id).toString(), "--name", name + "-" + id));
        args.addAll(extraArgs);
        return JarProcess.start(name + "-" + id, JarProcess.SIDECAR_JAR, args, env);
    }

    void awaitSidecarReady() throws InterruptedException {
        if (!Http.await(Duration.ofSeconds(60), () -> Http.ok(sidecarUrl() + "/health/readiness"))) {
            throw new IllegalStateException("sidecar did not become ready; see " + sidecar.log());
        }
    }

    /** Creates a virtual key and waits until the sidecar accepts it. */
    String newKey(String body) throws IOException, InterruptedException {
        HttpResponse<String> created = Http.post(admin() + "/key/generate", MASTER_KEY, body);
        if (created.statusCode() != 200) {
            throw new IllegalStateException("/key/generate: " + created.statusCode() + " " + created.body());
        }
        String key = Http.json(created).path("key").asText();
        if (!Http.await(Duration.ofSeconds(5), () -> status(() -> Http.get(sidecarUrl() + "/v1/models", key)) == 200)) {
            throw new IllegalStateException("the sidecar did not receive the new key within 5 s");
        }
        return key;
    }

    String chat(String model, String content) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    JsonNode spendLogs(String query) throws IOException, InterruptedException {
        HttpResponse<String> r = Http.get(admin() + "/spend/logs" + query, MASTER_KEY);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("/spend/logs: " + r.statusCode() + " " + r.body());
        }
        return Http.json(r);
    }

    interface Call {
        HttpResponse<String> run() throws IOException, InterruptedException;
    }

    static int status(Call call) {
        try {
            return call.run().statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (sidecar != null) {
            sidecar.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
    }
}
