package dev.tollgate.sidecar.provider.azure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.Redaction;
import dev.tollgate.sidecar.provider.openai.OpenAiUpstream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Azure OpenAI: {@code {api_base}/openai/deployments/{model}/chat/completions?api-version=...}
 * (and {@code /embeddings}), where {@code model} is the Azure deployment name. Credentials: the
 * {@code api-key} header; or {@code Authorization: Bearer} when the deployment sets the
 * {@code azure_ad_token} param or its {@code api_key} starts with {@code "Bearer "} (an Entra ID
 * token pushed by the control plane; minting tokens is not the sidecar's job). Immutable.
 */
public final class AzureUpstream implements OpenAiUpstream {

    private static final String BEARER = "Bearer ";

    @Override
    public String base(ProviderCall call) {
        String base = call.deployment().getApiBase();
        if (base.isEmpty()) {
            throw missing(call, "api_base", "missing_api_base",
                    "your resource's endpoint, e.g. https://my-resource.openai.azure.com");
        }
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @Override
    public String url(ProviderCall call, String operation) {
        String base = base(call);
        String version = call.param("api_version", "");
        if (version.isEmpty()) {
            throw missing(call, "api_version", "missing_api_version", "e.g. 2024-10-21");
        }
        return base + "/openai/deployments/" + encode(call.deployment().getModel()) + operation
                + "?api-version=" + encode(version);
    }

    @Override
    public void authorize(ProviderCall call, HttpRequest.Builder request) {
        String adToken = call.param("azure_ad_token", "");
        String key = call.deployment().getApiKey();
        if (!adToken.isEmpty()) {
            request.header("Authorization", adToken.startsWith(BEARER) ? adToken : BEARER + adToken);
        } else if (key.startsWith(BEARER)) {
            request.header("Authorization", key);
        } else if (!key.isEmpty()) {
            request.header("api-key", key);
        }
    }

    @Override
    public String secret(ProviderCall call) {
        String adToken = call.param("azure_ad_token", "");
        String secret = adToken.isEmpty() ? call.deployment().getApiKey() : adToken;
        return secret.startsWith(BEARER) ? secret.substring(BEARER.length()) : secret;
    }

    /** Azure's content filter refuses a prompt with 400 and {@code "code": "content_filter"}. */
    @Override
    public Optional<GatewayError> classify(ProviderCall call, int status, JsonNode errorBody) {
        JsonNode error = errorBody.path("error");
        boolean filtered = "content_filter".equals(error.path("code").asText())
                || "ResponsibleAIPolicyViolation".equals(error.path("innererror").path("code").asText());
        if (status != 400 || !filtered) {
            return Optional.empty();
        }
        return Optional.of(new GatewayError(400, "invalid_request_error", "content_policy_violation",
                call.target().describe() + ": Azure's content filter refused the prompt; rephrase it, or review the "
                        + "content filter configuration of the Azure deployment. The provider said: \""
                        + Redaction.scrub(error.path("message").asText(), secret(call)) + "\"", "messages",
                Optional.empty()));
    }

    private static RuntimeException missing(ProviderCall call, String field, String code, String example) {
        return new GatewayError(500, "configuration_error", code, call.target().describe() + " has no " + field
                + ", which Azure OpenAI requires. Set litellm_params." + field + " (" + example
                + ") in the control plane config.", field, Optional.empty()).exception();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
