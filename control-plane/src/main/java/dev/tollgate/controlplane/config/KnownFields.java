package dev.tollgate.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every field of a LiteLLM proxy config, sorted by what Tollgate does with it ({@link FieldRules}):
 * used, ignored (collected into one start-up warning that lists each field with its path and why),
 * or refused (the start fails, listing every such field and what to do instead). Fields are refused
 * when ignoring them would silently loosen security, lose spend, or call a provider LiteLLM would not
 * have called; the rest are warnings. {@code router_settings} fields are read by the router's own
 * parser ({@link RoutingSettingsParser#ROUTER_FIELDS}); the others are reported here.
 */
final class KnownFields {

    private KnownFields() {
    }

    /**
     * Checks {@code root} and returns the tree to parse: the same fields, except that prices LiteLLM
     * also accepts in {@code model_info} are moved into {@code litellm_params} (where the sidecar reads
     * them) when {@code litellm_params} lacks them. Adds at most one warning to {@code warnings}.
     *
     * @throws ConfigLoader.ConfigException listing every refused field
     */
    static JsonNode check(JsonNode root, List<String> warnings) {
        if (!root.isObject()) {
            return root; // ConfigLoader refuses it with its own message
        }
        Findings findings = new Findings();
        ObjectNode copy = ((ObjectNode) root).deepCopy();
        section(copy, "", FieldRules.TOP, findings);
        JsonNode models = copy.path("model_list");
        for (int i = 0; models.isArray() && i < models.size(); i++) {
            if (models.get(i).isObject()) {
                entry((ObjectNode) models.get(i), i, findings);
            }
        }
        section(copy.path("general_settings"), "general_settings.", FieldRules.GENERAL, findings);
        section(copy.path("router_settings"), "router_settings.", FieldRules.ROUTER, findings);
        section(copy.path("litellm_settings"), "litellm_settings.", FieldRules.LITELLM, findings);
        callbacks(copy.path("litellm_settings").path("callbacks"), findings);
        databaseUrl(copy.path("general_settings").path("database_url"), findings);
        environment(copy, findings);
        findings.throwIfRefused();
        findings.warning().ifPresent(warnings::add);
        return copy;
    }

    private static void section(JsonNode node, String prefix, Map<String, FieldRules.Rule> rules, Findings findings) {
        if (!node.isObject()) {
            return;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            findings.add(prefix + name, -1, rules.getOrDefault(name, FieldRules.UNKNOWN));
        }
    }

    private static void entry(ObjectNode entry, int index, Findings findings) {
        Iterator<String> names = entry.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            findings.add("model_list[*]." + name, index, FieldRules.MODEL_ENTRY.getOrDefault(name, FieldRules.UNKNOWN));
        }
        JsonNode params = entry.path("litellm_params");
        String model = params.path("model").asText("");
        String provider = model.contains("/") ? model.substring(0, model.indexOf('/')) : "";
        if (params.isObject()) {
            Iterator<String> paramNames = params.fieldNames();
            while (paramNames.hasNext()) {
                String name = paramNames.next();
                findings.add("model_list[*].litellm_params." + name, index, FieldRules.litellmParam(name, provider));
            }
            if (!provider.isEmpty() && !FieldRules.PROVIDERS.contains(provider)) {
                findings.add("model_list[*].litellm_params.model", index, FieldRules.ignored("provider prefix '"
                        + provider + "' is not one the sidecar serves (" + String.join(", ", FieldRules.PROVIDERS)
                        + "); requests to these deployments fail with unknown_provider"));
            }
        }
        JsonNode info = entry.path("model_info");
        if (info.isObject()) {
            Iterator<String> infoNames = info.fieldNames();
            while (infoNames.hasNext()) {
                String name = infoNames.next();
                findings.add("model_list[*].model_info." + name, index,
                        FieldRules.MODEL_INFO.getOrDefault(name, FieldRules.DESCRIPTIVE));
            }
            if (params.isObject()) {
                for (String price : FieldRules.MODEL_INFO_PRICES) {
                    if (info.has(price) && !params.has(price)) {
                        ((ObjectNode) params).set(price, info.get(price));
                    }
                }
            }
        }
    }

    /**
     * {@code callbacks} may hold guardrails and custom handlers that change requests: those are refused;
     * logging callbacks are ignored like {@code success_callback}.
     */
    private static void callbacks(JsonNode callbacks, Findings findings) {
        List<String> names = new ArrayList<>();
        if (callbacks.isTextual()) {
            names.add(callbacks.asText());
        } else {
            callbacks.forEach(c -> names.add(c.asText()));
        }
        for (String name : names) {
            if (FieldRules.LOGGING_CALLBACKS.contains(name)) {
                findings.add("litellm_settings.callbacks", -1, FieldRules.ignored("'" + name + "' does not run; "
                        + "Tollgate exports OpenTelemetry traces and keeps a usage row per request"));
            } else {
                findings.add("litellm_settings.callbacks", -1, FieldRules.refused(name.contains(".")
                        ? "'" + name + "' is a custom Python handler, which can change or block requests; Tollgate "
                                + "cannot run it"
                        : "'" + name + "' is not a logging callback (a guardrail or request hook), and Tollgate "
                                + "cannot run it; remove it, or keep such checks in the app"));
            }
        }
    }

    private static void databaseUrl(JsonNode url, Findings findings) {
        if (url.isTextual() && !url.asText().startsWith(CredentialRef.ENV_PREFIX)) {
            try {
                DatabaseUrl.parse(url.asText(), "general_settings.database_url");
            } catch (ConfigLoader.ConfigException e) {
                findings.add("general_settings.database_url", -1, FieldRules.refused(e.getMessage()
                        .substring("general_settings.database_url: ".length())));
            }
        }
    }

    /** environment_variables that no {@code os.environ/} reference of this file reads do nothing in Tollgate. */
    private static void environment(JsonNode root, Findings findings) {
        JsonNode variables = root.path("environment_variables");
        if (!variables.isObject()) {
            return;
        }
        Set<String> referenced = new java.util.HashSet<>();
        collectReferences(root, referenced);
        Iterator<Map.Entry<String, JsonNode>> fields = variables.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (!field.getValue().isValueNode()) {
                findings.add("environment_variables." + name, -1, FieldRules.refused("expected a string value"));
            } else if (!referenced.contains(name) && !name.startsWith("TOLLGATE_")) {
                findings.add("environment_variables." + name, -1, FieldRules.ignored("no os.environ/" + name
                        + " in this config reads it, and Tollgate reads none of LiteLLM's own variables"));
            }
        }
    }

    private static void collectReferences(JsonNode node, Set<String> out) {
        if (node.isTextual() && node.asText().startsWith(CredentialRef.ENV_PREFIX)) {
            out.add(node.asText().substring(CredentialRef.ENV_PREFIX.length()));
        }
        node.forEach(child -> collectReferences(child, out));
    }

    /**
     * Ignored and refused fields in file order, the list indices of one field with one note grouped
     * ({@code model_list[0,2].model_info.mode}).
     */
    private static final class Findings {
        private record Key(String path, FieldRules.Rule rule) {
        }

        private final Map<Key, List<Integer>> found = new LinkedHashMap<>();

        void add(String path, int index, FieldRules.Rule rule) {
            if (rule.support() == FieldRules.Support.USED) {
                return;
            }
            List<Integer> at = found.computeIfAbsent(new Key(path, rule), k -> new ArrayList<>());
            if (index >= 0 && !at.contains(index)) {
                at.add(index);
            }
        }

        java.util.Optional<String> warning() {
            List<String> lines = lines(FieldRules.Support.IGNORED);
            if (lines.isEmpty()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of("config: " + lines.size() + " field(s) have no effect in Tollgate and are "
                    + "ignored:\n  " + String.join("\n  ", lines));
        }

        void throwIfRefused() {
            List<String> lines = lines(FieldRules.Support.REFUSED);
            if (!lines.isEmpty()) {
                throw new ConfigLoader.ConfigException(lines.size() + " field(s) would change behaviour in ways "
                        + "Tollgate cannot honour; remove or replace them:\n  " + String.join("\n  ", lines));
            }
        }

        private List<String> lines(FieldRules.Support support) {
            List<String> out = new ArrayList<>();
            found.forEach((key, at) -> {
                if (key.rule().support() == support) {
                    String shown = at.isEmpty() ? key.path() : key.path().replace("[*]", at.toString().replace(" ", ""));
                    out.add(shown + ": " + key.rule().note());
                }
            });
            return out;
        }
    }
}
