package dev.tollgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks a compose file: references between services, files it mounts or builds, and every Tollgate service. */
final class ComposeCheck {

    private static final Pattern JDBC = Pattern.compile("^jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]+).*$");
    /** The port the postgres image listens on. */
    private static final int POSTGRES_PORT = 5432;

    private ComposeCheck() {
    }

    /** One service and the file it came from (the checked file, or one it includes). */
    private record Service(String name, JsonNode node, String file) {
        Optional<Component> component() {
            return Component.ofImage(node.path("image").asText(""));
        }

        List<String> args() {
            return Nodes.strings(node.path("command"));
        }

        Map<String, String> env() {
            return Nodes.environment(node.path("environment"));
        }
    }

    static List<String> check(Repo repo, String file) {
        List<String> out = new ArrayList<>();
        JsonNode doc = repo.yamlDocument(file);
        Map<String, Service> services = new LinkedHashMap<>();
        for (JsonNode inc : doc.path("include")) {
            String path = Repo.resolve(file, inc.isTextual() ? inc.asText() : inc.path("path").asText());
            if (!repo.exists(path)) {
                out.add(file + ": include " + path + " does not exist");
                continue;
            }
            repo.yamlDocument(path).path("services").properties()
                    .forEach(e -> services.put(e.getKey(), new Service(e.getKey(), e.getValue(), path)));
        }
        doc.path("services").properties()
                .forEach(e -> services.put(e.getKey(), new Service(e.getKey(), e.getValue(), file)));
        Set<String> namedVolumes = new HashSet<>();
        doc.path("volumes").fieldNames().forEachRemaining(namedVolumes::add);

        for (Service s : services.values()) {
            if (s.file().equals(file)) {
                out.addAll(references(repo, file, s, services, namedVolumes));
            }
        }
        List<Service> controlPlanes = new ArrayList<>();
        for (Service s : services.values()) {
            if (!s.file().equals(file) || s.component().isEmpty()) {
                continue;
            }
            Component c = s.component().get();
            out.addAll(tollgateService(repo, file, s, c, services));
            if (c == Component.CONTROL_PLANE) {
                controlPlanes.add(s);
                out.addAll(controlPlane(repo, file, s, services));
            } else {
                out.addAll(sidecar(repo, file, s, services));
            }
        }
        boolean stack = services.values().stream().anyMatch(s -> s.component().isPresent());
        if (stack) {
            if (controlPlanes.size() < 2) {
                out.add(file + ": expected two control-plane replicas, found " + controlPlanes.size());
            }
            for (String shared : List.of("TOLLGATE_DB_URL", "TOLLGATE_MASTER_KEY", "TOLLGATE_SIDECAR_TOKEN")) {
                if (controlPlanes.stream().map(s -> s.env().get(shared)).distinct().count() > 1) {
                    out.add(file + ": the control-plane replicas differ in " + shared + " (they must share it)");
                }
            }
            if (services.values().stream().noneMatch(s -> s.component().orElse(null) == Component.SIDECAR)) {
                out.add(file + ": no sidecar service");
            }
        }
        return out;
    }

    /** depends_on, network_mode, volumes and build of any service point at things that exist. */
    private static List<String> references(Repo repo, String file, Service s, Map<String, Service> services,
                                           Set<String> namedVolumes) {
        List<String> out = new ArrayList<>();
        String where = file + " service " + s.name();
        for (String dep : Nodes.keysOrItems(s.node().path("depends_on"))) {
            if (!services.containsKey(dep)) {
                out.add(where + ": depends_on unknown service " + dep);
            } else if (s.node().path("depends_on").path(dep).path("condition").asText("").equals("service_healthy")
                    && services.get(dep).node().path("healthcheck").isMissingNode()) {
                out.add(where + ": waits for " + dep + " to be healthy, but " + dep + " has no healthcheck");
            }
        }
        String network = s.node().path("network_mode").asText("");
        if (network.startsWith("service:") && !services.containsKey(network.substring(8))) {
            out.add(where + ": network_mode " + network + " names an unknown service");
        }
        for (JsonNode v : s.node().path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts.length < 2) {
                continue;
            }
            String source = parts[0];
            if (source.startsWith(".") || source.startsWith("/")) {
                if (!source.startsWith("/") && !repo.exists(Repo.resolve(file, source))) {
                    out.add(where + ": mounts " + source + ", which does not exist (" + Repo.resolve(file, source) + ")");
                }
            } else if (!namedVolumes.contains(source)) {
                out.add(where + ": volume " + source + " is not declared under the top-level volumes:");
            }
        }
        JsonNode build = s.node().path("build");
        if (!build.isMissingNode()) {
            String context = Repo.resolve(file, build.isTextual() ? build.asText() : build.path("context").asText("."));
            String dockerfile = Repo.resolve(context + "/x", build.path("dockerfile").asText("Dockerfile"));
            if (!repo.isDirectory(context) || !repo.exists(dockerfile)) {
                out.add(where + ": build context " + context + " or Dockerfile " + dockerfile + " does not exist");
            }
        }
        if (s.component().isPresent() && s.node().path("healthcheck").isMissingNode()) {
            out.add(where + ": no healthcheck");
        }
        if (s.node().path("image").asText("").startsWith("postgres") && s.node().path("healthcheck").isMissingNode()) {
            out.add(where + ": no healthcheck");
        }
        return out;
    }

    /** Image, flags, environment and health check of a control-plane or sidecar service. */
    private static List<String> tollgateService(Repo repo, String file, Service s, Component c,
                                                Map<String, Service> services) {
        List<String> out = new ArrayList<>();
        String where = file + " service " + s.name();
        String image = s.node().path("image").asText();
        if (!image.equals(c.image(repo))) {
            out.add(where + ": image " + image + " (expected " + c.image(repo) + ", the project version)");
        }
        JsonNode build = s.node().path("build");
        if (build.isMissingNode()) {
            boolean builtElsewhere = services.values().stream().anyMatch(o -> o.node().path("image").asText().equals(image)
                    && !o.node().path("build").isMissingNode());
            if (!builtElsewhere) {
                out.add(where + ": no service builds " + image + " (add build: with " + c.dockerfile() + ")");
            }
            if (!s.node().path("pull_policy").asText("").equals("never")) {
                out.add(where + ": " + image + " is built here, not published: set pull_policy: never");
            }
        } else {
            String context = Repo.resolve(file, build.path("context").asText("."));
            String dockerfile = Repo.resolve(context + "/x", build.path("dockerfile").asText("Dockerfile"));
            if (!dockerfile.equals(c.dockerfile())) {
                out.add(where + ": builds " + image + " from " + dockerfile + " (expected " + c.dockerfile() + ")");
            }
            if (!context.equals(".")) {
                out.add(where + ": build context " + context + " (expected the repository root: the Dockerfile copies its sources)");
            }
        }
        Cli cli = c.cli(repo);
        List<String> args = s.args();
        out.addAll(cli.problems(args, where + " command"));
        Map<String, String> env = s.env();
        for (String name : env.keySet()) {
            if (!cli.env().contains(name) && !Component.JVM_ENV.contains(name)) {
                out.add(where + ": sets " + name + ", which " + c.module + " does not read (its --help lists " + cli.env() + ")");
            }
        }
        for (String name : c.requiredEnv) {
            if (!env.containsKey(name)) {
                out.add(where + ": does not set " + name);
            }
        }
        String test = String.join(" ", Nodes.strings(s.node().path("healthcheck").path("test")));
        if (!test.isEmpty()) {
            out.addAll(DockerfileCheck.checkProbeUrl(repo, c, test, cli.port(args, c.httpPortFlag), where + " healthcheck"));
        }
        return out;
    }

    private static List<String> controlPlane(Repo repo, String file, Service s, Map<String, Service> services) {
        List<String> out = new ArrayList<>();
        String where = file + " service " + s.name();
        Cli cli = Component.CONTROL_PLANE.cli(repo);
        List<String> args = s.args();
        Map<String, String> env = s.env();
        int admin = cli.port(args, Component.CONTROL_PLANE.httpPortFlag);
        for (JsonNode p : s.node().path("ports")) {
            int container = containerPort(p.asText());
            if (container != admin) {
                out.add(where + ": publishes container port " + container + "; the admin API listens on " + admin);
            }
        }
        // The mounted config: found through the --config path, checked like the control plane reads it.
        Optional<String> config = cli.value(args, "config");
        Optional<String> source = config.flatMap(path -> bindSource(file, s, path));
        if (source.isEmpty()) {
            out.add(where + ": --config " + config.orElse("?") + " is not a file mounted from the repository");
        } else if (repo.exists(source.get())) {
            out.addAll(ConfigCheck.check(repo, repo.yamlDocument(source.get()), env.keySet(),
                    ConfigCheck.Providers.MOCK_ONLY, source.get()));
        }
        // The database is a service of this file, reached on its port, with its database and user.
        Matcher jdbc = JDBC.matcher(env.getOrDefault("TOLLGATE_DB_URL", ""));
        if (!jdbc.matches()) {
            out.add(where + ": TOLLGATE_DB_URL is not jdbc:postgresql://HOST:PORT/DB");
        } else {
            Service db = services.get(jdbc.group(1));
            if (db == null || !db.node().path("image").asText("").startsWith("postgres")) {
                out.add(where + ": TOLLGATE_DB_URL names " + jdbc.group(1) + ", which is not a postgres service");
            } else {
                Map<String, String> dbEnv = db.env();
                int port = jdbc.group(2) == null ? POSTGRES_PORT : Integer.parseInt(jdbc.group(2));
                if (port != POSTGRES_PORT) {
                    out.add(where + ": TOLLGATE_DB_URL port " + port + " (the postgres image listens on " + POSTGRES_PORT + ")");
                }
                if (!jdbc.group(3).equals(dbEnv.get("POSTGRES_DB"))) {
                    out.add(where + ": TOLLGATE_DB_URL database " + jdbc.group(3) + " is not POSTGRES_DB of " + db.name());
                }
                if (!env.getOrDefault("TOLLGATE_DB_USER", "").equals(dbEnv.get("POSTGRES_USER"))
                        || !env.getOrDefault("TOLLGATE_DB_PASSWORD", "").equals(dbEnv.get("POSTGRES_PASSWORD"))) {
                    out.add(where + ": TOLLGATE_DB_USER/TOLLGATE_DB_PASSWORD differ from " + db.name()
                            + "'s POSTGRES_USER/POSTGRES_PASSWORD");
                }
            }
        }
        String otlp = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (otlp != null) {
            URI uri = URI.create(otlp);
            Service collector = services.get(uri.getHost());
            if (collector == null) {
                out.add(where + ": OTEL_EXPORTER_OTLP_ENDPOINT names " + uri.getHost() + ", which is not a service");
            } else if (!containerPorts(collector).contains(uri.getPort())) {
                out.add(where + ": OTEL_EXPORTER_OTLP_ENDPOINT port " + uri.getPort() + " is not a port of "
                        + collector.name() + " " + containerPorts(collector));
            }
        }
        return out;
    }

    private static List<String> sidecar(Repo repo, String file, Service s, Map<String, Service> services) {
        List<String> out = new ArrayList<>();
        String where = file + " service " + s.name();
        Cli cli = Component.SIDECAR.cli(repo);
        List<String> args = s.args();
        String network = s.node().path("network_mode").asText("");
        Service app = network.startsWith("service:") ? services.get(network.substring(8)) : null;
        if (app == null) {
            out.add(where + ": the sidecar listens on loopback: it needs network_mode: service:<app>");
        } else {
            int port = cli.port(args, Component.SIDECAR.httpPortFlag);
            String base = app.env().get("OPENAI_BASE_URL");
            if (base != null && URI.create(base).getPort() != port) {
                out.add(file + " service " + app.name() + ": OPENAI_BASE_URL " + base + " but the sidecar listens on " + port);
            }
            for (JsonNode p : app.node().path("ports")) {
                if (containerPort(p.asText()) == port && !cli.given(args, "listen")) {
                    out.add(file + " service " + app.name() + ": publishes " + port
                            + ", but the sidecar listens on 127.0.0.1 only, so that cannot work");
                }
            }
        }
        // --control-plane is one HOST:PORT or a comma-separated list of replicas: check each.
        for (String target : cli.value(args, "control-plane").orElse("").split(",")) {
            int colon = target.lastIndexOf(':');
            Service cp = colon < 0 ? null : services.get(target.substring(0, colon));
            if (cp == null || cp.component().orElse(null) != Component.CONTROL_PLANE) {
                out.add(where + ": --control-plane " + target + " is not a control-plane service of this file");
            } else {
                int grpc = Component.CONTROL_PLANE.cli(repo).port(cp.args(), "grpc-port");
                if (!target.substring(colon + 1).equals(String.valueOf(grpc))) {
                    out.add(where + ": --control-plane " + target + " but " + cp.name() + " listens for sidecars on " + grpc);
                }
                if (!s.env().getOrDefault("TOLLGATE_SIDECAR_TOKEN", "").equals(cp.env().get("TOLLGATE_SIDECAR_TOKEN"))) {
                    out.add(where + ": TOLLGATE_SIDECAR_TOKEN differs from " + cp.name() + "'s");
                }
            }
        }
        return out;
    }

    /** The source (repository path) of the bind mount whose target is {@code path} or a folder above it. */
    private static Optional<String> bindSource(String file, Service s, String path) {
        for (JsonNode v : s.node().path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts.length >= 2 && parts[0].startsWith(".")) {
                if (parts[1].equals(path)) {
                    return Optional.of(Repo.resolve(file, parts[0]));
                }
                if (path.startsWith(parts[1] + "/")) {
                    return Optional.of(Repo.resolve(file, parts[0] + path.substring(parts[1].length())));
                }
            }
        }
        return Optional.empty();
    }

    /** The container side of a compose port: "4100", "8080:4100", "127.0.0.1:8080:4100", "4317/tcp". */
    private static int containerPort(String spec) {
        String[] parts = spec.split(":");
        return Integer.parseInt(parts[parts.length - 1].replaceAll("/.*", ""));
    }

    private static Set<Integer> containerPorts(Service s) {
        Set<Integer> out = new HashSet<>();
        s.node().path("ports").forEach(p -> out.add(containerPort(p.asText())));
        s.node().path("expose").forEach(p -> out.add(containerPort(p.asText())));
        return out;
    }
}
