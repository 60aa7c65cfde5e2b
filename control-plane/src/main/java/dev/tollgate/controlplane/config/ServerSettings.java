package dev.tollgate.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What LiteLLM's config says about the control-plane process itself: where its database is, and the
 * environment variables it sets for {@code os.environ/} references.
 *
 * @param databaseUrl {@code general_settings.database_url} (a PostgreSQL URL, literal or
 *                    {@code os.environ/NAME}); {@code TOLLGATE_DB_URL} overrides it; none means embedded
 * @param environment {@code environment_variables}: fill in variables the process environment lacks
 *                    (the process environment wins, as with every {@code TOLLGATE_} override)
 */
public record ServerSettings(CredentialRef databaseUrl, Map<String, String> environment) {

    public static final ServerSettings NONE = new ServerSettings(CredentialRef.NONE, Map.of());

    public ServerSettings {
        Objects.requireNonNull(databaseUrl, "databaseUrl");
        environment = Map.copyOf(environment);
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
        return new ServerSettings(url, environment);
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
        return "ServerSettings[databaseUrl=" + databaseUrl.describe() + ", environment=" + environment.keySet() + "]";
    }
}
