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
 * @param secretParams {@code litellm_params} that are secrets ({@link #SECRET_PARAMS}) or {@code os.environ/}
 *                   references: resolved in the control plane, pushed to sidecars, never stored in the database
 */
public record ModelDeployment(
        String alias, String provider, String model, String apiBase, CredentialRef credential, Map<String, String> params,
        Map<String, CredentialRef> secretParams) {

    /** litellm_params that hold credentials besides api_key. */
    public static final java.util.Set<String> SECRET_PARAMS = java.util.Set.of(
            "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "azure_ad_token",
            "vertex_credentials", "client_secret");

    /** {@code litellm_params.exposure} values: the key is pushed to sidecars, or stays in the control plane. */
    public static final String EXPOSURE_SIDECAR = "sidecar";
    public static final String EXPOSURE_CONTROL_PLANE = "control-plane";

    public ModelDeployment(String alias, String provider, String model, String apiBase, CredentialRef credential,
                           Map<String, String> params) {
        this(alias, provider, model, apiBase, credential, params, Map.of());
    }

    public ModelDeployment {
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        apiBase = apiBase == null ? "" : apiBase;
        credential = credential == null ? CredentialRef.NONE : credential;
        params = Map.copyOf(params == null ? Map.of() : params);
        secretParams = Map.copyOf(secretParams == null ? Map.of() : secretParams);
        if (alias.isBlank()) {
            throw new IllegalArgumentException("model_name: empty (expected: the alias apps send as \"model\")");
        }
    }
}
