package dev.tollgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Kubernetes objects under a folder: those its {@code kustomization.yaml} files apply (with
 * the kustomization's namespace), and those in the other YAML files (examples, such as the
 * placeholder Secrets, which are never applied). Loading problems (a listed file that does not
 * exist, a manifest no kustomization lists) are kept in {@link #problems}.
 */
record Manifests(List<Manifest> applied, List<Manifest> examples, List<String> problems) {

    record Manifest(JsonNode node, String file, String namespace) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        String describe() {
            return file + " " + kind() + " " + namespace + "/" + name();
        }
    }

    static Manifests load(Repo repo, String dir) {
        List<Manifest> applied = new ArrayList<>();
        List<Manifest> examples = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        List<String> kustomizations = repo.list(dir, "/kustomization.yaml");
        if (kustomizations.isEmpty()) {
            problems.add(dir + ": no kustomization.yaml");
        }
        for (String k : kustomizations) {
            JsonNode doc = repo.yamlDocument(k);
            if (!doc.path("kind").asText().equals("Kustomization")) {
                problems.add(k + ": kind is not Kustomization");
            }
            String namespace = doc.path("namespace").asText("");
            for (JsonNode r : doc.path("resources")) {
                String path = Repo.resolve(k, r.asText());
                if (repo.isDirectory(path)) {
                    if (!repo.exists(path + "/kustomization.yaml")) {
                        problems.add(k + ": resource " + r.asText() + " is a folder without kustomization.yaml");
                    }
                    continue;
                }
                if (!repo.exists(path)) {
                    problems.add(k + ": resource " + r.asText() + " does not exist (" + path + ")");
                    continue;
                }
                listed.add(path);
                for (JsonNode node : repo.yaml(path)) {
                    String ns = namespace.isEmpty() ? node.path("metadata").path("namespace").asText("default") : namespace;
                    applied.add(new Manifest(node, path, ns));
                }
            }
        }
        for (String file : repo.list(dir, ".yaml", ".yml")) {
            if (listed.contains(file) || file.endsWith("/kustomization.yaml")) {
                continue;
            }
            if (!file.contains(".example.")) {
                problems.add(file + ": no kustomization.yaml lists it (name it *.example.yaml if it is not to be applied)");
            }
            for (JsonNode node : repo.yaml(file)) {
                examples.add(new Manifest(node, file, node.path("metadata").path("namespace").asText("default")));
            }
        }
        for (Manifest m : applied) {
            if (m.kind().equals("Secret")) {
                problems.add(m.describe() + ": a Secret in a kustomization would be applied with its example values;"
                        + " keep Secrets in *.example.yaml");
            }
            if (m.kind().isEmpty() || m.name().isEmpty() || m.node().path("apiVersion").asText().isEmpty()) {
                problems.add(m.file() + ": an object without apiVersion, kind or metadata.name");
            }
        }
        return new Manifests(List.copyOf(applied), List.copyOf(examples), List.copyOf(problems));
    }

    List<Manifest> applied(String kind) {
        return applied.stream().filter(m -> m.kind().equals(kind)).toList();
    }

    Optional<Manifest> find(String kind, String namespace, String name) {
        return applied.stream()
                .filter(m -> m.kind().equals(kind) && m.namespace().equals(namespace) && m.name().equals(name))
                .findFirst();
    }

    /** A Secret of the examples: the manifests name Secrets that operators create from these. */
    Optional<Manifest> exampleSecret(String namespace, String name) {
        return examples.stream()
                .filter(m -> m.kind().equals("Secret") && m.namespace().equals(namespace) && m.name().equals(name))
                .findFirst();
    }
}
