package dev.tollgate.controlplane.config;

import java.util.Map;
import java.util.Objects;

/**
 * One {@code model_list} entry: a deployment of an alias on a provider.
 *
 * @param alias      the {@code model_name} apps ask for
 * @param provider   the provider prefix of {@code litellm_params.model} ({@code openai}, {@code mock}, ...)
 * @param model      the provider's own model name (after the prefix)
 * @param apiBase    the provider base URL, or empty for the provider's default
 * @param credential where the API key comes from
 * @param params     the other {@code litellm_params}, as strings (api_version, mock_response, ...)
 */
public record ModelDeployment(
        String alias, String provider, String model, String apiBase, CredentialRef credential, Map<String, String> params) {

    public ModelDeployment {
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        apiBase = apiBase == null ? "" : apiBase;
        credential = credential == null ? CredentialRef.NONE : credential;
        params = Map.copyOf(params == null ? Map.of() : params);
        if (alias.isBlank()) {
            throw new IllegalArgumentException("model_name: empty (expected: the alias apps send as \"model\")");
        }
    }
}
