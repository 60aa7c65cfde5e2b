package dev.tollgate.controlplane.config;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code credential_list} entry: a named credential that deployments use through
 * {@code litellm_params.litellm_credential_name}. Values stay references ({@code os.environ/NAME} or a
 * literal) resolved in the control plane's memory; they are never written to the database.
 *
 * @param values {@code credential_values} by field ({@code api_key}, {@code api_base}, {@code api_version}, ...)
 * @param info   {@code credential_info} as JSON text, shown as given
 */
public record ConfigCredential(String name, Map<String, CredentialRef> values, String info) {

    /** Names appear in URL paths ({@code /credentials/by_name/NAME}), so they keep to a safe alphabet. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public ConfigCredential {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("credential_name: \"" + name + "\" (expected: 1-128 letters, digits,"
                    + " '.', '_' or '-', starting with a letter or digit)");
        }
        values = Map.copyOf(values);
        info = info == null ? "{}" : info;
    }

    @Override
    public String toString() {
        return "ConfigCredential[" + name + ", fields " + values.keySet() + "]";
    }
}
