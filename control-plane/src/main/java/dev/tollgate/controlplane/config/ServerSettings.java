package dev.tollgate.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What LiteLLM's config says about the control-plane process itself: where its database is, and the
 * environment variables it sets for {@code os.environ/} references.
 *
 * @param databaseUrl {@code general_settings.database_url} (a PostgreSQL URL, literal or
 *                    {@code os.environ/NAME}); {@code TOLLGATE_DB_URL} overrides it; none means embedded
 * @param environment {@code environment_variables}: fill in variables the process environment lacks
 *                    (the process environment wins, as with every {@code TOLLGATE_} override)
 * @param process     {@code tollgate.admin_port}, {@code grpc_port}, ... ({@link #PROCESS_FIELDS}): what the
 *                    flags of the same name set, below flags and {@code TOLLGATE_*} variables
 */
public record ServerSettings(CredentialRef databaseUrl, Map<String, String> environment, Map<String, String> process) {

    public static final ServerSettings NONE = new ServerSettings(CredentialRef.NONE, Map.of());

    /** Fields of {@code tollgate:} that set what a command-line flag sets (flags and TOLLGATE_ variables win). */
    public static final Set<String> PROCESS_FIELDS = Set.of("admin_port", "admin_host", "grpc_port", "grpc_host",
            "data_dir", "drain_timeout");

    public ServerSettings {
        Objects.requireNonNull(databaseUrl, "databaseUrl");
        environment = Map.copyOf(environment);
        process = Map.copyOf(process);
        for (String field : process.keySet()) {
            if (!PROCESS_FIELDS.contains(field)) {
                throw new IllegalArgumentException("process setting '" + field + "' (expected one of " + PROCESS_FIELDS + ")");
            }
        }
    }

    public ServerSettings(CredentialRef databaseUrl, Map<String, String> environment) {
        this(databaseUrl, environment, Map.of());
    }

    static ServerSettings parse(JsonNode root) {
        CredentialRef url;
        try {
            JsonNode value = root.path("general_settings").path("database_url");
            url = CredentialRef.parse(value.isValueNode() && !value.isNull() ? value.asText() : null);
        } catch (IllegalArgumentException e) {
            throw new ConfigLoader.ConfigException("general_settings.database_url: " + e.getMessage());
        }
        Map<String, String> environment = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.path("environment_variables").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isValueNode() && !field.getValue().isNull()) {
                environment.put(field.getKey(), field.getValue().asText());
            }
        }
        Map<String, String> process = new LinkedHashMap<>();
        for (String field : PROCESS_FIELDS) {
            JsonNode value = root.path("tollgate").path(field);
            if (value.isValueNode() && !value.isNull()) {
                process.put(field, value.asText());
            }
        }
        return new ServerSettings(url, environment, process);
    }

    /** The process environment, with {@code environment_variables} filling the variables it lacks. */
    public Map<String, String> effectiveEnvironment(Map<String, String> processEnvironment) {
        Map<String, String> merged = new LinkedHashMap<>(environment);
        merged.putAll(processEnvironment);
        return merged;
    }

    @Override
    public String toString() {
        // Values may be secrets.
        return "ServerSettings[databaseUrl=" + databaseUrl.describe() + ", environment=" + environment.keySet()
                + ", process=" + process + "]";
    }
}
