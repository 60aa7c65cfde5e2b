package dev.tollgate.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a config in LiteLLM's {@code config.yaml} shape. Values stay unresolved
 * ({@link CredentialRef}); the caller resolves them against its environment.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    /** Loads and validates a file; the message of a failure names the field and what was expected. */
    public static GatewayConfig load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist or is not a file");
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        // Jackson reads an empty (or comments-only) file as a missing node, not as null.
        return parse(root == null || root.isMissingNode() || root.isNull() ? YAML.createObjectNode() : root);
    }

    static GatewayConfig parse(JsonNode root) {
        if (!root.isObject()) {
            throw new ConfigException("config: expected a YAML mapping at the top level");
        }
        List<String> warnings = new ArrayList<>();
        root = KnownFields.check(root, warnings);
        List<ModelDeployment> deployments = new ArrayList<>();
        JsonNode modelList = root.path("model_list");
        if (!modelList.isMissingNode() && !modelList.isNull()) {
            if (!modelList.isArray()) {
                throw new ConfigException("model_list: expected a list of {model_name, litellm_params}");
            }
            for (int i = 0; i < modelList.size(); i++) {
                deployments.add(parseEntry(modelList.get(i), "model_list[" + i + "]"));
            }
        }
        JsonNode general = root.path("general_settings");
        CredentialRef masterKey = credential(general, "master_key", "general_settings.master_key");
        CredentialRef sidecarToken = credential(root.path("tollgate"), "sidecar_token", "tollgate.sidecar_token");
        RoutingSettings routing = RoutingSettingsParser.parse(root.path("router_settings"), root.path("litellm_settings"),
                warnings);
        warnUnknownFallbackTargets(routing, deployments, warnings);
        if (routing.dropParams()) {
            deployments = deployments.stream().map(ConfigLoader::dropParamsByDefault).toList();
        }
        return new GatewayConfig(deployments, masterKey, sidecarToken, warnings, ServerSettings.parse(root), routing,
                parseCredentials(root.path("credential_list")), sidecars(root.path("tollgate").path("sidecars")));
    }

    /** {@code tollgate.sidecars: [{name, token: os.environ/NAME, teams: [...]}]}. */
    private static List<SidecarEntry> sidecars(JsonNode list) {
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new ConfigException("tollgate.sidecars: expected a list of {name, token, teams}");
        }
        List<SidecarEntry> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "tollgate.sidecars[" + i + "]";
            JsonNode entry = list.get(i);
            List<String> teams = new ArrayList<>();
            JsonNode teamList = entry.path("teams");
            if (!teamList.isMissingNode() && !teamList.isNull()) {
                if (!teamList.isArray()) {
                    throw new ConfigException(path + ".teams: expected a list of team ids");
                }
                teamList.forEach(t -> teams.add(t.asText()));
            }
            try {
                SidecarEntry sidecar = new SidecarEntry(text(entry, "name"), credential(entry, "token", path + ".token"),
                        teams);
                if (!names.add(sidecar.name())) {
                    throw new ConfigException(path + ".name: '" + sidecar.name() + "' appears twice");
                }
                out.add(sidecar);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(path + "." + e.getMessage());
            }
        }
        return out;
    }

    /**
     * LiteLLM's {@code credential_list}: {@code credential_name}, {@code credential_values} (strings,
     * {@code os.environ/NAME} allowed) and {@code credential_info}. Whether each deployment's
     * {@code litellm_credential_name} exists is checked at start, when stored credentials are known too.
     */
    private static List<ConfigCredential> parseCredentials(JsonNode list) {
        List<ConfigCredential> out = new ArrayList<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new ConfigException("credential_list: expected a list of {credential_name, credential_values,"
                    + " credential_info}");
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "credential_list[" + i + "]";
            JsonNode entry = list.get(i);
            String name = entry.isObject() ? text(entry, "credential_name") : null;
            if (name == null || name.isBlank()) {
                throw new ConfigException(path + ".credential_name: missing (expected: the name deployments give as"
                        + " litellm_params.litellm_credential_name)");
            }
            if (!seen.add(name)) {
                throw new ConfigException(path + ".credential_name: \"" + name + "\" appears twice in credential_list");
            }
            JsonNode values = entry.path("credential_values");
            if (!values.isObject() || values.isEmpty()) {
                throw new ConfigException(path + ".credential_values: expected a mapping such as {api_key:"
                        + " os.environ/NAME, api_base: https://...}");
            }
            Map<String, CredentialRef> refs = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = values.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                    throw new ConfigException(path + ".credential_values." + f.getKey() + ": expected a string");
                }
                refs.put(f.getKey(), credential(values, f.getKey(), path + ".credential_values." + f.getKey()));
            }
            JsonNode info = entry.path("credential_info");
            if (!info.isMissingNode() && !info.isNull() && !info.isObject()) {
                throw new ConfigException(path + ".credential_info: expected a mapping");
            }
            try {
                out.add(new ConfigCredential(name, refs, info.isObject() ? info.toString() : "{}"));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(path + "." + e.getMessage());
            }
        }
        return out;
    }

    /** litellm_settings.drop_params: true is every deployment's default; its own drop_params still wins. */
    private static ModelDeployment dropParamsByDefault(ModelDeployment d) {
        if (d.params().containsKey("drop_params")) {
            return d;
        }
        Map<String, String> params = new LinkedHashMap<>(d.params());
        params.put("drop_params", "true");
        return new ModelDeployment(d.alias(), d.provider(), d.model(), d.apiBase(), d.credential(), params,
                d.secretParams());
    }

    /** Aliases may be added after start-up, so a fallback to an alias the file lacks is a warning, not a refusal. */
    private static void warnUnknownFallbackTargets(RoutingSettings routing, List<ModelDeployment> deployments,
                                                   List<String> warnings) {
        java.util.Set<String> aliases = new java.util.HashSet<>();
        deployments.forEach(d -> aliases.add(d.alias()));
        Map<String, Map<String, List<String>>> lists = new LinkedHashMap<>();
        lists.put("fallbacks", routing.fallbacks());
        lists.put("context_window_fallbacks", routing.contextWindowFallbacks());
        lists.put("content_policy_fallbacks", routing.contentPolicyFallbacks());
        lists.put("default_fallbacks", Map.of("*", routing.defaultFallbacks()));
        lists.put("model_group_alias", Map.of("*", List.copyOf(routing.modelGroupAlias().values())));
        lists.forEach((field, byAlias) -> byAlias.forEach((alias, targets) -> targets.stream()
                .filter(t -> !aliases.contains(t))
                .forEach(t -> warnings.add("router_settings." + field + ": alias '" + t
                        + "' is not a model_name in model_list; requests cannot use it until it exists"))));
    }

    /**
     * One {@code model_list} entry given outside a file ({@code POST /model/new}); refused with a
     * {@link ConfigException} naming the field, as in a file.
     */
    public static ModelDeployment parseModel(JsonNode entry) {
        return parseEntry(entry, "model");
    }

    private static ModelDeployment parseEntry(JsonNode entry, String path) {
        if (!entry.isObject()) {
            throw new ConfigException(path + ": expected a mapping with model_name and litellm_params");
        }
        String alias = text(entry, "model_name");
        if (alias == null || alias.isBlank()) {
            throw new ConfigException(path + ".model_name: missing (expected: the alias apps send as \"model\")");
        }
        JsonNode params = entry.path("litellm_params");
        if (!params.isObject()) {
            throw new ConfigException(path + ".litellm_params: missing (expected: a mapping with at least model: <provider>/<model>)");
        }
        String target = text(params, "model");
        int slash = target == null ? -1 : target.indexOf('/');
        if (slash <= 0 || slash == target.length() - 1) {
            throw new ConfigException(path + ".litellm_params.model: \"" + (target == null ? "" : target)
                    + "\" (expected: <provider>/<model>, e.g. openai/gpt-4o-mini or mock/demo)");
        }
        Map<String, String> rest = new LinkedHashMap<>();
        Map<String, CredentialRef> secrets = new LinkedHashMap<>();
        String apiBase = text(params, "api_base");
        Iterator<Map.Entry<String, JsonNode>> fields = params.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            String value = field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString();
            RoutingSettingsParser.checkDeploymentParam(path + ".litellm_params." + name, name, field.getValue());
            if (name.equals("model") || name.equals("api_key")) {
                continue;
            }
            // Secrets and os.environ/ references (api_base and api_version too, as LiteLLM allows) are
            // resolved in the control plane and never stored in the database.
            if (ModelDeployment.SECRET_PARAMS.contains(name) || value.startsWith(CredentialRef.ENV_PREFIX)) {
                secrets.put(name, credential(params, name, path + ".litellm_params." + name));
                if (name.equals("api_base")) {
                    apiBase = null;
                }
            } else if (!name.equals("api_base")) {
                rest.put(name, value);
            }
        }
        checkExposure(path + ".litellm_params.exposure", target.substring(0, slash), apiBase,
                secrets.containsKey("api_base"), rest);
        return new ModelDeployment(alias, target.substring(0, slash), target.substring(slash + 1),
                apiBase, credential(params, "api_key", path + ".litellm_params.api_key"), rest, secrets);
    }

    /**
     * {@code exposure} (a Tollgate extension): {@code sidecar} (default) or {@code control-plane}, which
     * needs an origin the control plane can hold the relay to, and a provider signed without the secret.
     */
    private static void checkExposure(String path, String provider, String apiBase, boolean apiBaseFromEnv,
                                      Map<String, String> params) {
        String exposure = params.get("exposure");
        if (exposure == null || exposure.equals(ModelDeployment.EXPOSURE_SIDECAR)) {
            return;
        }
        if (!exposure.equals(ModelDeployment.EXPOSURE_CONTROL_PLANE)) {
            throw new ConfigException(path + ": \"" + exposure + "\" (expected: sidecar or control-plane)");
        }
        if (provider.equals("bedrock")) {
            throw new ConfigException(path + ": control-plane is not supported for bedrock: AWS SigV4 signs each "
                    + "request with the secret key, so the sidecar would need it; use exposure: sidecar for this "
                    + "deployment");
        }
        if (!apiBaseFromEnv && ProviderOrigins.allowed(provider, apiBase).isEmpty()) {
            throw new ConfigException(path + ": control-plane needs an api_base (an absolute http(s) URL) for "
                    + "provider " + provider + ": the control plane relays calls only to that host");
        }
    }

    private static CredentialRef credential(JsonNode node, String field, String path) {
        try {
            return CredentialRef.parse(text(node, field));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** A config that cannot be used; the message says which field and what was expected. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
