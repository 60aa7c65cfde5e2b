package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.bench.load.Target;
import dev.tollgate.bench.process.Launcher;
import dev.tollgate.bench.process.ManagedProcess;
import dev.tollgate.bench.process.Processes;
import dev.tollgate.bench.process.SetupHttp;
import dev.tollgate.bench.report.RunResults;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brings up everything a run measures, in order: fake upstream, control plane, sidecar (timed
 * start, several times), virtual keys, and the peers. Fails with the log tail of whatever did
 * not come up.
 */
final class Setup {

    static final String CHAT_PATH = "/v1/chat/completions";
    static final String ALIAS = "bench-chat";
    static final String UPSTREAM_KEY = "sk-bench-upstream-not-checked";
    private static final String MASTER_KEY = "sk-master-bench-" + Long.toHexString(System.nanoTime());
    private static final String SIDECAR_TOKEN = "bench-sidecar-token-" + Long.toHexString(System.nanoTime());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run measures: the arms in report order, and the sidecar process. */
    record Stage(Arm direct, Arm sidecar, Arm sidecarBudget, Optional<Arm> portkey, Optional<Arm> nginx,
                 List<Arm> jvmRelays, ManagedProcess upstream, ManagedProcess controlPlane) {

        List<Arm> mainArms() {
            List<Arm> arms = new ArrayList<>(List.of(direct, sidecar));
            portkey.ifPresent(arms::add);
            nginx.ifPresent(arms::add);
            arms.addAll(jvmRelays);
            return arms;
        }
    }

    private final BenchPlan plan;
    private final Launcher launcher;
    private final Processes processes;
    private final RunResults results;
    private final Optional<String> nginxBinary;
    private final List<String> sidecarJvmOptions;

    Setup(BenchPlan plan, Launcher launcher, Processes processes, RunResults results, Optional<String> nginxBinary,
          List<String> sidecarJvmOptions) {
        this.plan = plan;
        this.launcher = launcher;
        this.processes = processes;
        this.results = results;
        this.nginxBinary = nginxBinary;
        this.sidecarJvmOptions = List.copyOf(sidecarJvmOptions);
    }

    Stage start() throws IOException, InterruptedException {
        int upstreamPort = SetupHttp.freePort();
        say("fake upstream on 127.0.0.1:" + upstreamPort + " (" + plan.streamChunks() + "-chunk streams, "
                + plan.streamGapMicros() + " us gap)");
        ManagedProcess upstream = launcher.upstream(upstreamPort, plan.streamChunks(), plan.streamGapMicros());

        int adminPort = SetupHttp.freePort();
        int grpcPort = SetupHttp.freePort();
        say("control plane (embedded PostgreSQL) on 127.0.0.1:" + adminPort + " / gRPC " + grpcPort);
        ManagedProcess cp = launcher.controlPlane(config(upstreamPort), adminPort, grpcPort,
                Map.of("TOLLGATE_MASTER_KEY", MASTER_KEY, "TOLLGATE_SIDECAR_TOKEN", SIDECAR_TOKEN));

        int sidecarPort = SetupHttp.freePort();
        Launcher.SidecarStart sidecar = null;
        for (int i = 1; i <= plan.sidecarStarts(); i++) {
            if (sidecar != null) {
                processes.stop(sidecar.process(), 20);
            }
            sidecar = launcher.sidecar("bench-sidecar", sidecarPort, grpcPort, sidecarJvmOptions,
                    Map.of("TOLLGATE_SIDECAR_TOKEN", SIDECAR_TOKEN));
            results.sidecarReadyMs.add(sidecar.readyNanos() / 1e6);
            results.sidecarLiveMs.add(sidecar.liveNanos() / 1e6);
            say(String.format(java.util.Locale.ROOT, "sidecar start %d/%d: listening after %.0f ms, ready after %.0f ms",
                    i, plan.sidecarStarts(), sidecar.liveNanos() / 1e6, sidecar.readyNanos() / 1e6));
        }
        ManagedProcess sc = sidecar.process();
        String base = "http://127.0.0.1:" + sidecarPort;
        String plainKey = newKey(adminPort, base, "{\"key_alias\":\"bench\",\"models\":[\"" + ALIAS + "\"]}").key();
        Key budget = newKey(adminPort, base, "{\"key_alias\":\"bench-budget\",\"models\":[\"" + ALIAS + "\"],"
                + "\"max_budget\":1000000}");
        results.budgetHonoured = budget.info().hasNonNull("max_budget");
        results.notes.add(results.budgetHonoured
                ? "Budgeted key: /key/generate accepted max_budget (" + budget.info().get("max_budget") + ")."
                : "Budgeted key: /key/generate does not know max_budget yet (the field is ignored and not echoed), so "
                        + "`sidecar_budget` uses a plain key; usage recording (spool + upload) is on for every request, "
                        + "as it always is today.");

        Target direct = Target.of("direct", "fake upstream, no hop", upstreamPort, CHAT_PATH,
                Map.of("Authorization", "Bearer " + UPSTREAM_KEY), "bench-model");
        Target sidecarTarget = Target.of("sidecar", "Tollgate sidecar", sidecarPort, CHAT_PATH,
                Map.of("Authorization", "Bearer " + plainKey), ALIAS);
        Target budgetTarget = Target.of("sidecar_budget", "Tollgate sidecar, key with max_budget", sidecarPort,
                CHAT_PATH, Map.of("Authorization", "Bearer " + budget.key()), ALIAS);
        results.targets.put(direct.id(), direct.label());
        results.targets.put(sidecarTarget.id(), sidecarTarget.label());

        Optional<Arm> portkey = Optional.empty();
        Optional<Arm> nginx = Optional.empty();
        List<Arm> jvmRelays = List.of();
        if (plan.peers()) {
            portkey = startPortkey(upstreamPort);
            nginx = startNginx(upstreamPort);
            jvmRelays = List.of(startJvmRelay(upstreamPort, "event-loop"), startJvmRelay(upstreamPort, "virtual"),
                    startJvmRelay(upstreamPort, "platform"));
        }
        results.targets.put(budgetTarget.id(), budgetTarget.label());
        return new Stage(Arm.of(direct, upstream), Arm.of(sidecarTarget, sc), Arm.of(budgetTarget, sc), portkey, nginx,
                jvmRelays, upstream, cp);
    }

    private Optional<Arm> startPortkey(int upstreamPort) throws IOException, InterruptedException {
        if (!Files.isRegularFile(launcher.portkeyScript())) {
            results.notes.add("Portkey not measured: " + launcher.portkeyScript() + " is missing (./tollgate bench "
                    + "--peers installs it with npm ci in bench/peers/portkey).");
            return Optional.empty();
        }
        int port = SetupHttp.freePort();
        say("Portkey gateway 1.15.2 on 127.0.0.1:" + port);
        ManagedProcess p = launcher.portkey(port);
        Target t = Target.of("portkey", "Portkey gateway 1.15.2 (" + nodeVersion() + ")", port, CHAT_PATH,
                Map.of("Authorization", "Bearer " + UPSTREAM_KEY, "x-portkey-provider", "openai",
                        "x-portkey-custom-host", "http://127.0.0.1:" + upstreamPort + "/v1"), "bench-model");
        return Optional.of(awaitProxy(t, p));
    }

    private Optional<Arm> startNginx(int upstreamPort) throws IOException, InterruptedException {
        if (nginxBinary.isEmpty()) {
            results.notes.add("nginx not measured: no nginx binary found (./tollgate bench --peers installs the Debian "
                    + "package when it is missing).");
            return Optional.empty();
        }
        int port = SetupHttp.freePort();
        say("nginx reverse proxy on 127.0.0.1:" + port);
        ManagedProcess p = launcher.nginx(nginxBinary.get(), port, upstreamPort);
        Target t = Target.of("nginx", "nginx reverse proxy, keep-alive upstream (" + nginxBinary.get() + ")", port,
                CHAT_PATH, Map.of("Authorization", "Bearer " + UPSTREAM_KEY), "bench-model");
        return Optional.of(awaitProxy(t, p));
    }

    /**
     * A TCP relay in a JVM of its own, with the sidecar's JVM flags (see {@link dev.tollgate.bench.peers.JvmRelay}):
     * on one selector thread ({@code jvm_relay}), the floor of a JVM hop that waits in an event loop; with a
     * virtual thread per direction ({@code jvm_relay_vt}), the sidecar's way of waiting for sockets; with a
     * platform thread per direction ({@code jvm_relay_pt}), blocking reads the kernel wakes directly.
     */
    private Arm startJvmRelay(int upstreamPort, String threads) throws IOException, InterruptedException {
        int port = SetupHttp.freePort();
        String how = switch (threads) {
            case "virtual" -> "a virtual thread per direction";
            case "platform" -> "a platform thread per direction";
            default -> "one selector thread";
        };
        String id = switch (threads) {
            case "virtual" -> "jvm_relay_vt";
            case "platform" -> "jvm_relay_pt";
            default -> "jvm_relay";
        };
        say("JVM relay (" + how + ", TCP copy) on 127.0.0.1:" + port);
        ManagedProcess p = launcher.jvmRelay(port, upstreamPort, threads);
        Target t = Target.of(id, "TCP relay on " + how + ", JVM with the sidecar's flags", port, CHAT_PATH,
                Map.of("Authorization", "Bearer " + UPSTREAM_KEY), "bench-model");
        return awaitProxy(t, p);
    }

    /** Waits until a chat request through the proxy answers 200 (both plain and streamed). */
    private Arm awaitProxy(Target t, ManagedProcess p) throws InterruptedException {
        String url = "http://127.0.0.1:" + t.port() + CHAT_PATH;
        Map<String, String> headers = headersOf(t);
        boolean ok = SetupHttp.await(Duration.ofSeconds(30), 50, () -> !p.alive() || answers(url, headers, false));
        if (!ok || !p.alive() || !answers(url, headers, true)) {
            throw new IllegalStateException(t.id() + " did not proxy a chat request within 30 s; its log " + p.log()
                    + " ends:\n" + p.logTail(20));
        }
        results.targets.put(t.id(), t.label());
        return Arm.of(t, p);
    }

    private static boolean answers(String url, Map<String, String> headers, boolean stream) {
        try {
            String body = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
                    + (stream ? ",\"stream\":true" : "") + "}";
            HttpResponse<String> r = SetupHttp.post(url, headers, body);
            return r.statusCode() == 200 && (!stream || r.body().contains("[DONE]"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The extra headers a target sends (parsed back from its prebuilt request). */
    private static Map<String, String> headersOf(Target t) {
        String head = new String(t.chatRequest(), java.nio.charset.StandardCharsets.ISO_8859_1);
        head = head.substring(0, head.indexOf("\r\n\r\n"));
        Map<String, String> out = new java.util.LinkedHashMap<>();
        String[] lines = head.split("\r\n");
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon);
            if (!List.of("Host", "Content-Type", "Content-Length", "Accept").contains(name)) {
                out.put(name, line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return "Node " + v;
        } catch (IOException e) {
            return "Node";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Node";
        }
    }

    private record Key(String key, JsonNode info) {
    }

    /** Creates a virtual key and waits until the sidecar accepts it. */
    private Key newKey(int adminPort, String sidecarBase, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = SetupHttp.post("http://127.0.0.1:" + adminPort + "/key/generate",
                Map.of("Authorization", "Bearer " + MASTER_KEY), body);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("/key/generate answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode info = JSON.readTree(r.body());
        String key = info.path("key").asText();
        if (!SetupHttp.await(Duration.ofSeconds(10), 20, () -> SetupHttp.get(sidecarBase + "/v1/models", key) == 200)) {
            throw new IllegalStateException("the sidecar did not accept the new key within 10 s");
        }
        return new Key(key, info);
    }

    private static String config(int upstreamPort) {
        return """
                # Written by ./tollgate bench: one alias on the harness's fake OpenAI-compatible upstream.
                model_list:
                  - model_name: %s
                    litellm_params:
                      model: openai/bench-model
                      api_base: http://127.0.0.1:%d/v1
                      api_key: %s
                      input_cost_per_token: "0.00000015"
                      output_cost_per_token: "0.0000006"
                general_settings:
                  master_key: os.environ/TOLLGATE_MASTER_KEY
                """.formatted(ALIAS, upstreamPort, UPSTREAM_KEY);
    }

    static void say(String line) {
        System.out.println("bench: " + line);
        System.out.flush();
    }
}
