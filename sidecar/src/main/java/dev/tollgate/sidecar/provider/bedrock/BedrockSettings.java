package dev.tollgate.sidecar.provider.bedrock;

import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.Redaction;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What one Bedrock deployment needs to sign and send a request: endpoint, region and AWS credentials, read from the
 * deployment params LiteLLM uses ({@code aws_region_name}, {@code aws_access_key_id}, {@code aws_secret_access_key},
 * optional {@code aws_session_token}). The deployment's {@code api_key} is not used. Never printed with its secrets.
 */
record BedrockSettings(String endpoint, String region, String accessKeyId, String secretAccessKey,
                       String sessionToken, Duration timeout) {

    static BedrockSettings of(ProviderCall call) {
        String region = call.param("aws_region_name", "").strip();
        String keyId = call.param("aws_access_key_id", "").strip();
        String secret = call.param("aws_secret_access_key", "").strip();
        if (region.isEmpty()) {
            throw Failures.missingCredential(call.target(), "litellm_params.aws_region_name is not set (e.g. us-east-1)")
                    .exception();
        }
        if (keyId.isEmpty() || secret.isEmpty()) {
            throw Failures.missingCredential(call.target(), "bedrock signs with AWS credentials: set "
                    + "aws_access_key_id and aws_secret_access_key (and aws_session_token for temporary credentials) "
                    + "in litellm_params; api_key is not used for bedrock").exception();
        }
        for (String param : new String[]{"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}) {
            String value = call.param(param, "");
            if (value.startsWith("os.environ/")) {
                // Only the variable name is shown: it is not a secret, and it is what to fix.
                throw Failures.missingCredential(call.target(), "litellm_params." + param + " arrived unresolved as "
                        + value + "; the control plane must resolve it before pushing the deployment").exception();
            }
        }
        String base = call.deployment().getApiBase().isEmpty()
                ? "https://bedrock-runtime." + region + ".amazonaws.com"
                : call.deployment().getApiBase();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new BedrockSettings(base, region, keyId, secret, call.param("aws_session_token", "").strip(),
                call.timeout());
    }

    /**
     * {@code {endpoint}/model/{modelId}/{action}}. The model id is one path segment, so the ':' of versioned ids and
     * the '/' of ARNs are percent-encoded; the signer encodes that path again for the canonical request, as AWS does.
     */
    URI uri(ProviderCall call, String action) {
        String modelId = URLEncoder.encode(call.deployment().getModel(), StandardCharsets.UTF_8).replace("+", "%20");
        try {
            URI uri = URI.create(endpoint + "/model/" + modelId + "/" + action);
            if (uri.getHost() == null || uri.getScheme() == null) {
                throw new IllegalArgumentException("no host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new GatewayError(500, "configuration_error", "invalid_api_base", call.target().describe()
                    + ": api_base '" + endpoint + "' is not a valid URL").exception();
        }
    }

    /** Removes every part of the credential from provider text. */
    String scrub(String text) {
        String out = Redaction.scrub(text, secretAccessKey);
        if (!sessionToken.isEmpty()) {
            out = Redaction.scrub(out, sessionToken);
        }
        return Redaction.scrub(out, accessKeyId);
    }

    @Override
    public String toString() {
        return "BedrockSettings[" + endpoint + ", " + region + "]";
    }
}
