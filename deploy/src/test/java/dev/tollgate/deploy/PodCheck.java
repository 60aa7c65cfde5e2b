package dev.tollgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Checks one Tollgate container of a Deployment's pod template against its component's command line. */
final class PodCheck {

    private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private PodCheck() {
    }

    /** A container of a Deployment's pod template ({@code init} for an initContainer). */
    record Container(Manifests.Manifest deployment, JsonNode node, boolean init) {
        JsonNode pod() {
            return deployment.node().path("spec").path("template").path("spec");
        }

        Map<String, String> podLabels() {
            return Nodes.labels(deployment.node().path("spec").path("template").path("metadata").path("labels"));
        }

        String where() {
            return deployment.describe() + " container " + node.path("name").asText();
        }

        Optional<Component> component() {
            return Component.ofImage(node.path("image").asText(""));
        }

        List<String> args() {
            return Nodes.strings(node.path("args"));
        }

        /** The containerPort named {@code name}, or -1. */
        int namedPort(String name) {
            for (JsonNode p : node.path("ports")) {
                if (p.path("name").asText().equals(name)) {
                    return p.path("containerPort").asInt(-1);
                }
            }
            return -1;
        }

        static List<Container> of(Manifests.Manifest deployment) {
            JsonNode spec = deployment.node().path("spec").path("template").path("spec");
            List<Container> out = new ArrayList<>();
            spec.path("initContainers").forEach(c -> out.add(new Container(deployment, c, true)));
            spec.path("containers").forEach(c -> out.add(new Container(deployment, c, false)));
            return out;
        }
    }

    static List<String> check(Repo repo, Manifests manifests, Container c, Component component) {
        List<String> out = new ArrayList<>();
        String where = c.where();
        JsonNode node = c.node();
        String ns = c.deployment().namespace();
        if (!node.path("image").asText().equals(component.image(repo))) {
            out.add(where + ": image " + node.path("image").asText() + " (expected " + component.image(repo) + ")");
        }
        if (!node.path("command").isMissingNode()) {
            out.add(where + ": sets command, which replaces the image's java -jar entrypoint; use args");
        }
        Cli cli = component.cli(repo);
        List<String> args = c.args();
        out.addAll(cli.problems(args, where + " args"));

        // Environment: only names the component reads (or $(NAME) used in args), the required ones
        // present, every Secret/ConfigMap key reference pointing at a key that exists.
        Set<String> argVars = new HashSet<>();
        args.forEach(a -> VAR_REF.matcher(a).results().forEach(r -> argVars.add(r.group(1))));
        Set<String> envNames = new TreeSet<>();
        for (JsonNode e : node.path("env")) {
            String name = e.path("name").asText();
            envNames.add(name);
            if (!cli.env().contains(name) && !Component.JVM_ENV.contains(name) && !argVars.contains(name)) {
                out.add(where + ": sets " + name + ", which " + component.module + " does not read (its --help lists "
                        + cli.env() + ")");
            }
            JsonNode secret = e.path("valueFrom").path("secretKeyRef");
            if (!secret.isMissingNode()) {
                out.addAll(secretKey(manifests, ns, secret, where + " env " + name));
            }
        }
        for (String name : component.requiredEnv) {
            if (!envNames.contains(name)) {
                out.add(where + ": does not set " + name);
            }
        }
        Set<String> fromSecrets = new HashSet<>();
        for (JsonNode from : node.path("envFrom")) {
            String secret = from.path("secretRef").path("name").asText("");
            Optional<Manifests.Manifest> s = manifests.exampleSecret(ns, secret);
            if (s.isEmpty() && !from.path("secretRef").path("optional").asBoolean(false)) {
                out.add(where + ": envFrom Secret " + ns + "/" + secret + " is in no *.example.yaml");
            }
            s.ifPresent(m -> m.node().path("stringData").fieldNames().forEachRemaining(fromSecrets::add));
        }

        // Ports and probes: on the ports the flags select, on health routes the code serves.
        Set<Integer> declared = new TreeSet<>();
        node.path("ports").forEach(p -> declared.add(p.path("containerPort").asInt()));
        Set<Integer> listening = new TreeSet<>();
        cli.portFlags().forEach(f -> listening.add(cli.port(args, f)));
        boolean loopback = component == Component.SIDECAR && !cli.given(args, "listen");
        if (loopback ? !listening.containsAll(declared) : !declared.equals(listening)) {
            out.add(where + ": containerPorts " + declared + " but " + component.module + " listens on " + listening
                    + " (" + cli.portFlags() + ")");
        }
        int http = cli.port(args, component.httpPortFlag);
        for (String kind : List.of("readinessProbe", "livenessProbe")) {
            if (node.path(kind).isMissingNode()) {
                out.add(where + ": no " + kind);
            }
        }
        for (String kind : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode probe = node.path(kind);
            if (probe.isMissingNode()) {
                continue;
            }
            out.addAll(probe(repo, c, component, probe, http, loopback, where + " " + kind));
            String path = probe.path("httpGet").path("path").asText(String.join(" ", Nodes.strings(probe.path("exec").path("command"))));
            if (kind.equals("readinessProbe") && !path.contains("/health/readiness")) {
                out.add(where + ": the readinessProbe should ask /health/readiness");
            }
        }

        JsonNode requests = node.path("resources").path("requests");
        if (!requests.has("cpu") || !requests.has("memory") || !node.path("resources").path("limits").has("memory")) {
            out.add(where + ": resources need requests.cpu, requests.memory and limits.memory");
        }
        JsonNode sc = node.path("securityContext");
        if (!sc.path("runAsNonRoot").asBoolean(c.pod().path("securityContext").path("runAsNonRoot").asBoolean(false))) {
            out.add(where + ": runAsNonRoot is not true (pod or container securityContext)");
        }
        if (sc.path("allowPrivilegeEscalation").asBoolean(true)) {
            out.add(where + ": securityContext.allowPrivilegeEscalation should be false");
        }

        // Mounts: of declared volumes; with a read-only root, the data folder and /tmp on volumes.
        Set<String> volumes = new HashSet<>();
        c.pod().path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
        List<String> mounts = new ArrayList<>();
        for (JsonNode m : node.path("volumeMounts")) {
            mounts.add(m.path("mountPath").asText());
            if (!volumes.contains(m.path("name").asText())) {
                out.add(where + ": mounts volume " + m.path("name").asText() + ", which the pod does not declare");
            }
        }
        if (sc.path("readOnlyRootFilesystem").asBoolean(false)) {
            List<String> writable = new ArrayList<>(List.of("/tmp"));
            cli.value(args, "data-dir").ifPresent(writable::add);
            for (String path : writable) {
                if (mounts.stream().noneMatch(m -> path.equals(m) || path.startsWith(m + "/"))) {
                    out.add(where + ": readOnlyRootFilesystem, but " + path + " (written at run time) is on no volume");
                }
            }
        }
        if (component == Component.CONTROL_PLANE) {
            Set<String> environment = new HashSet<>(envNames);
            environment.addAll(fromSecrets);
            out.addAll(config(repo, manifests, c, cli.value(args, "config").orElse(""), environment));
        }
        return out;
    }

    private static List<String> probe(Repo repo, Container c, Component component, JsonNode probe, int http,
                                      boolean loopback, String where) {
        JsonNode get = probe.path("httpGet");
        if (!get.isMissingNode()) {
            List<String> out = new ArrayList<>();
            if (loopback) {
                out.add(where + ": httpGet cannot reach a sidecar bound to 127.0.0.1; use an exec probe (curl)");
            }
            JsonNode port = get.path("port");
            int number = port.isInt() ? port.asInt() : c.namedPort(port.asText());
            if (number < 0) {
                out.add(where + ": port " + port.asText() + " is not a containerPort name of this container");
            } else if (number != http) {
                out.add(where + ": probes port " + number + " but " + component.module + " serves HTTP on " + http);
            }
            out.addAll(DockerfileCheck.checkHealthPath(repo, component, get.path("path").asText(), where));
            return out;
        }
        List<String> command = Nodes.strings(probe.path("exec").path("command"));
        if (command.isEmpty()) {
            return List.of(where + ": neither httpGet nor exec");
        }
        return DockerfileCheck.checkProbeUrl(repo, component, String.join(" ", command), http, where);
    }

    /** The --config file comes from a ConfigMap of the kustomization, and is a valid config for this environment. */
    private static List<String> config(Repo repo, Manifests manifests, Container c, String path, Set<String> env) {
        String where = c.where();
        for (JsonNode m : c.node().path("volumeMounts")) {
            String mountPath = m.path("mountPath").asText();
            if (!path.startsWith(mountPath + "/")) {
                continue;
            }
            String key = path.substring(mountPath.length() + 1);
            for (JsonNode v : c.pod().path("volumes")) {
                if (!v.path("name").asText().equals(m.path("name").asText()) || v.path("configMap").isMissingNode()) {
                    continue;
                }
                String name = v.path("configMap").path("name").asText();
                Optional<Manifests.Manifest> map = manifests.find("ConfigMap", c.deployment().namespace(), name);
                if (map.isEmpty()) {
                    return List.of(where + ": --config comes from ConfigMap " + name + ", which no kustomization applies");
                }
                JsonNode text = map.get().node().path("data").path(key);
                if (!text.isTextual()) {
                    return List.of(where + ": --config " + path + " but ConfigMap " + name + " has no key " + key);
                }
                JsonNode config = Repo.yamlText(text.asText(), map.get().file() + " " + key).get(0);
                return ConfigCheck.check(repo, config, env, ConfigCheck.Providers.ANY_KNOWN, map.get().file() + " " + key);
            }
        }
        return List.of(where + ": --config " + path + " is not on a ConfigMap volume");
    }

    private static List<String> secretKey(Manifests manifests, String ns, JsonNode ref, String where) {
        String name = ref.path("name").asText();
        String key = ref.path("key").asText();
        Optional<Manifests.Manifest> secret = manifests.exampleSecret(ns, name);
        if (secret.isEmpty()) {
            return List.of(where + ": Secret " + ns + "/" + name + " is in no *.example.yaml");
        }
        JsonNode data = secret.get().node();
        if (!data.path("stringData").has(key) && !data.path("data").has(key)) {
            return List.of(where + ": Secret " + ns + "/" + name + " (" + secret.get().file() + ") has no key " + key);
        }
        return List.of();
    }

    /** The port of an app container's OPENAI_BASE_URL (where an SDK would send requests), if it sets one. */
    static Optional<Integer> appBaseUrlPort(JsonNode container) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("OPENAI_BASE_URL") && e.has("value")) {
                return Optional.of(URI.create(e.path("value").asText()).getPort());
            }
        }
        return Optional.empty();
    }
}
