package dev.tollgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks a control-plane config.yaml that a deployment mounts. */
final class ConfigCheck {

    private static final Pattern ENV_REF = Pattern.compile("^os\\.environ/([A-Za-z_][A-Za-z0-9_]*)$");

    /** Whether the config must run with no network (only the built-in mock provider). */
    enum Providers { ANY_KNOWN, MOCK_ONLY }

    private ConfigCheck() {
    }

    /**
     * Every deployment names a provider the sidecar has ({@code sidecar/.../provider/<prefix>}),
     * and every {@code os.environ/NAME} it uses is set in the control plane's environment.
     */
    static List<String> check(Repo repo, JsonNode config, Set<String> environment, Providers providers, String where) {
        List<String> out = new ArrayList<>();
        JsonNode models = config.path("model_list");
        if (!models.isArray() || models.isEmpty()) {
            out.add(where + ": model_list is missing or empty");
        }
        for (JsonNode entry : models) {
            String target = entry.path("litellm_params").path("model").asText("");
            int slash = target.indexOf('/');
            if (!entry.path("model_name").isTextual() || slash <= 0) {
                out.add(where + ": a model_list entry lacks model_name or litellm_params.model: <provider>/<model>");
                continue;
            }
            String prefix = target.substring(0, slash);
            if (!repo.isDirectory("sidecar/src/main/java/dev/tollgate/sidecar/provider/" + prefix)) {
                out.add(where + ": provider '" + prefix + "' of " + target + " has no adapter in sidecar/.../provider/");
            }
            if (providers == Providers.MOCK_ONLY && !prefix.equals("mock")) {
                out.add(where + ": " + target + " needs a network and an account; this config must run offline (mock/ only)");
            }
        }
        for (String name : envRefs(config)) {
            if (!environment.contains(name)) {
                out.add(where + ": the config reads os.environ/" + name + ", which the control plane's environment does not set");
            }
        }
        return out;
    }

    /** Every NAME of an {@code os.environ/NAME} value anywhere in the config. */
    static List<String> envRefs(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            Matcher m = ENV_REF.matcher(node.asText().strip());
            if (m.matches()) {
                out.add(m.group(1));
            }
        }
        node.forEach(child -> out.addAll(envRefs(child)));
        return out;
    }
}
