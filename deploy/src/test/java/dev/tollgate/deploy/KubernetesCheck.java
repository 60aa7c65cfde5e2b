package dev.tollgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the Kubernetes manifests as a whole: each Tollgate container ({@link PodCheck}), and the
 * objects around the control plane (replicas, PodDisruptionBudget, Service, NetworkPolicy) and
 * the sidecars (where they connect, whether the NetworkPolicy lets them).
 */
final class KubernetesCheck {

    static final String DIR = "deploy/kubernetes";

    private KubernetesCheck() {
    }

    static List<String> check(Repo repo) {
        Manifests manifests = Manifests.load(repo, DIR);
        List<String> out = new ArrayList<>(manifests.problems());
        out.addAll(placeholders(manifests));
        List<PodCheck.Container> controlPlanes = new ArrayList<>();
        List<PodCheck.Container> sidecars = new ArrayList<>();
        for (Manifests.Manifest d : manifests.applied("Deployment")) {
            Map<String, String> selector = Nodes.labels(d.node().path("spec").path("selector").path("matchLabels"));
            Map<String, String> labels = Nodes.labels(d.node().path("spec").path("template").path("metadata").path("labels"));
            if (!Nodes.selects(selector, labels)) {
                out.add(d.describe() + ": spec.selector.matchLabels do not match the pod template's labels");
            }
            for (PodCheck.Container c : PodCheck.Container.of(d)) {
                Optional<Component> component = c.component();
                if (component.isEmpty()) {
                    continue;
                }
                out.addAll(PodCheck.check(repo, manifests, c, component.get()));
                (component.get() == Component.CONTROL_PLANE ? controlPlanes : sidecars).add(c);
            }
        }
        if (controlPlanes.isEmpty()) {
            out.add(DIR + ": no control-plane Deployment");
        }
        for (PodCheck.Container cp : controlPlanes) {
            out.addAll(controlPlane(repo, manifests, cp));
        }
        if (sidecars.stream().noneMatch(PodCheck.Container::init) || sidecars.stream().allMatch(PodCheck.Container::init)) {
            out.add(DIR + ": expected an example app with the sidecar as a second container and one with it as a native"
                    + " sidecar (initContainer with restartPolicy: Always)");
        }
        for (PodCheck.Container s : sidecars) {
            out.addAll(sidecar(repo, manifests, s, controlPlanes));
        }
        return out;
    }

    /** Example Secrets hold only placeholders, each marked CHANGE-ME, in stringData. */
    private static List<String> placeholders(Manifests manifests) {
        List<String> out = new ArrayList<>();
        for (Manifests.Manifest m : manifests.examples()) {
            if (!m.kind().equals("Secret")) {
                continue;
            }
            if (m.node().has("data")) {
                out.add(m.describe() + ": use stringData with CHANGE-ME placeholders, not base64 data");
            }
            m.node().path("stringData").properties().forEach(e -> {
                if (!e.getValue().asText().contains("CHANGE-ME")) {
                    out.add(m.describe() + ": " + e.getKey() + " is not marked as a placeholder (CHANGE-ME)");
                }
            });
        }
        return out;
    }

    private static List<String> controlPlane(Repo repo, Manifests manifests, PodCheck.Container cp) {
        List<String> out = new ArrayList<>();
        Manifests.Manifest d = cp.deployment();
        String ns = d.namespace();
        Map<String, String> labels = cp.podLabels();
        if (d.node().path("spec").path("replicas").asInt(1) < 2) {
            out.add(d.describe() + ": expected at least 2 replicas");
        }
        if (manifests.applied("PodDisruptionBudget").stream().noneMatch(p -> p.namespace().equals(ns)
                && Nodes.selects(Nodes.labels(p.node().path("spec").path("selector").path("matchLabels")), labels))) {
            out.add(d.describe() + ": no PodDisruptionBudget selects its pods");
        }
        Cli cli = Component.CONTROL_PLANE.cli(repo);
        for (String flag : cli.portFlags()) {
            int port = cli.port(cp.args(), flag);
            boolean served = manifests.applied("Service").stream()
                    .filter(s -> s.namespace().equals(ns) && selects(s, labels))
                    .anyMatch(s -> servicePorts(s).stream().anyMatch(p -> targetPort(p, cp) == port));
            if (!served) {
                out.add(d.describe() + ": no Service port targets " + port + " (--" + flag + ")");
            }
        }
        List<Manifests.Manifest> policies = manifests.applied("NetworkPolicy").stream()
                .filter(p -> p.namespace().equals(ns) && Nodes.selects(
                        Nodes.labels(p.node().path("spec").path("podSelector").path("matchLabels")), labels))
                .toList();
        if (policies.isEmpty()) {
            out.add(d.describe() + ": no NetworkPolicy selects its pods");
        }
        int grpc = cli.port(cp.args(), "grpc-port");
        int admin = cli.port(cp.args(), Component.CONTROL_PLANE.httpPortFlag);
        for (Manifests.Manifest p : policies) {
            boolean grpcRule = false;
            boolean adminRule = false;
            for (JsonNode rule : p.node().path("spec").path("ingress")) {
                if (covers(rule, grpc, cp)) {
                    grpcRule = true;
                    if (rule.path("from").isEmpty()) {
                        out.add(p.describe() + ": an ingress rule opens the control stream (" + grpc + ") to everyone");
                    }
                    for (JsonNode peer : rule.path("from")) {
                        if (Nodes.labels(peer.path("podSelector").path("matchLabels")).isEmpty()) {
                            out.add(p.describe() + ": an ingress rule opens the control stream (" + grpc
                                    + ") to pods that are not labelled as sidecars");
                        }
                    }
                }
                if (covers(rule, admin, cp) && !covers(rule, grpc, cp)) {
                    adminRule |= rule.path("from").findValues("namespaceSelector").stream()
                            .anyMatch(n -> !n.path("matchLabels").isEmpty());
                }
            }
            if (!grpcRule) {
                out.add(p.describe() + ": no ingress rule admits sidecars to the control stream port " + grpc);
            }
            if (!adminRule) {
                out.add(p.describe() + ": no ingress rule admits a labelled namespace to the admin port " + admin);
            }
        }
        return out;
    }

    private static List<String> sidecar(Repo repo, Manifests manifests, PodCheck.Container s,
                                        List<PodCheck.Container> controlPlanes) {
        List<String> out = new ArrayList<>();
        String where = s.where();
        if (s.init() && !s.node().path("restartPolicy").asText("").equals("Always")) {
            out.add(where + ": a sidecar initContainer needs restartPolicy: Always, or the pod waits for it to exit");
        }
        Cli cli = Component.SIDECAR.cli(repo);
        int http = cli.port(s.args(), Component.SIDECAR.httpPortFlag);
        for (JsonNode other : s.pod().path("containers")) {
            PodCheck.appBaseUrlPort(other).filter(p -> p != http).ifPresent(p -> out.add(where + ": container "
                    + other.path("name").asText() + " sends OPENAI_BASE_URL to port " + p + ", the sidecar listens on " + http));
        }
        // --control-plane SERVICE[.NAMESPACE[.svc...]]:PORT: a Service port that reaches a control plane's --grpc-port.
        String target = cli.value(s.args(), "control-plane").orElse("");
        int colon = target.lastIndexOf(':');
        String[] host = target.substring(0, Math.max(colon, 0)).split("\\.");
        String ns = host.length > 1 ? host[1] : s.deployment().namespace();
        Optional<Manifests.Manifest> service = manifests.find("Service", ns, host[0]);
        if (colon < 0 || service.isEmpty()) {
            out.add(where + ": --control-plane " + target + " is not SERVICE.NAMESPACE:PORT of a Service in the manifests");
            return out;
        }
        int port = Integer.parseInt(target.substring(colon + 1));
        boolean reaches = false;
        for (PodCheck.Container cp : controlPlanes) {
            if (!cp.deployment().namespace().equals(ns) || !selects(service.get(), cp.podLabels())) {
                continue;
            }
            int grpc = Component.CONTROL_PLANE.cli(repo).port(cp.args(), "grpc-port");
            reaches |= servicePorts(service.get()).stream()
                    .anyMatch(p -> p.path("port").asInt() == port && targetPort(p, cp) == grpc);
            boolean admitted = manifests.applied("NetworkPolicy").stream()
                    .filter(p -> p.namespace().equals(ns) && Nodes.selects(
                            Nodes.labels(p.node().path("spec").path("podSelector").path("matchLabels")), cp.podLabels()))
                    .allMatch(p -> admits(p, grpc, cp, s.podLabels(), s.deployment().namespace()));
            if (!admitted) {
                out.add(where + ": its pod labels " + s.podLabels() + " do not pass the control plane's NetworkPolicy on " + grpc);
            }
        }
        if (!reaches) {
            out.add(where + ": --control-plane " + target + ": that Service port does not lead to a control plane's --grpc-port");
        }
        return out;
    }

    private static boolean selects(Manifests.Manifest service, Map<String, String> labels) {
        return Nodes.selects(Nodes.labels(service.node().path("spec").path("selector")), labels);
    }

    private static List<JsonNode> servicePorts(Manifests.Manifest service) {
        List<JsonNode> out = new ArrayList<>();
        service.node().path("spec").path("ports").forEach(out::add);
        return out;
    }

    /** The container port a Service port leads to on {@code cp}'s container (by number or by name). */
    private static int targetPort(JsonNode servicePort, PodCheck.Container cp) {
        JsonNode t = servicePort.path("targetPort");
        if (t.isMissingNode()) {
            return servicePort.path("port").asInt();
        }
        return t.isInt() ? t.asInt() : cp.namedPort(t.asText());
    }

    /** Whether an ingress rule's ports include {@code port} (no ports: all of them). */
    private static boolean covers(JsonNode rule, int port, PodCheck.Container cp) {
        if (rule.path("ports").isEmpty()) {
            return true;
        }
        for (JsonNode p : rule.path("ports")) {
            JsonNode n = p.path("port");
            if ((n.isInt() ? n.asInt() : cp.namedPort(n.asText())) == port) {
                return true;
            }
        }
        return false;
    }

    /** Whether the policy lets a pod with {@code labels} in namespace {@code ns} reach {@code port}. */
    private static boolean admits(Manifests.Manifest policy, int port, PodCheck.Container cp, Map<String, String> labels,
                                  String ns) {
        for (JsonNode rule : policy.node().path("spec").path("ingress")) {
            if (!covers(rule, port, cp)) {
                continue;
            }
            if (rule.path("from").isEmpty()) {
                return true;
            }
            for (JsonNode peer : rule.path("from")) {
                Map<String, String> pods = Nodes.labels(peer.path("podSelector").path("matchLabels"));
                boolean namespaceOk = peer.has("namespaceSelector")
                        ? peer.path("namespaceSelector").path("matchLabels").isEmpty()
                        : ns.equals(policy.namespace());
                if (namespaceOk && Nodes.selects(pods, labels)) {
                    return true;
                }
            }
        }
        return false;
    }
}
