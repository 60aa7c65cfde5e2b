package dev.tollgate.sidecar.provider.openai;

import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderCall;
import java.net.http.HttpRequest;
import java.util.Objects;

/**
 * OpenAI and the OpenAI-compatible family: {@code {api_base}/chat/completions} with
 * {@code Authorization: Bearer <api_key>}. An empty {@code defaultBase} means the deployment must
 * set {@code api_base} (self-hosted servers such as vLLM have no public address).
 *
 * @param defaultBase base URL when the deployment sets no {@code api_base}; empty if it must
 * @param streamUsage how the provider reports usage on a stream
 */
public record BearerUpstream(String defaultBase, StreamUsage streamUsage) implements OpenAiUpstream {

    public BearerUpstream {
        Objects.requireNonNull(defaultBase, "defaultBase");
        Objects.requireNonNull(streamUsage, "streamUsage");
    }

    /** A provider with a public default base that reports stream usage when asked. */
    public static BearerUpstream at(String defaultBase) {
        return new BearerUpstream(defaultBase, StreamUsage.WHEN_ASKED);
    }

    /** A self-hosted server: {@code api_base} is required. */
    public static BearerUpstream selfHosted() {
        return new BearerUpstream("", StreamUsage.WHEN_ASKED);
    }

    @Override
    public String base(ProviderCall call) {
        String base = call.deployment().getApiBase().isEmpty() ? defaultBase : call.deployment().getApiBase();
        if (base.isEmpty()) {
            throw new GatewayError(500, "configuration_error", "missing_api_base", call.target().describe()
                    + " has no api_base: provider " + call.target().provider() + " has no default address. Set "
                    + "litellm_params.api_base (e.g. http://my-vllm:8000/v1) in the control plane config.").exception();
        }
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @Override
    public void authorize(ProviderCall call, HttpRequest.Builder request) {
        String key = call.deployment().getApiKey();
        if (!key.isEmpty()) {
            request.header("Authorization", "Bearer " + key);
        }
        String organization = call.param("organization", "");
        if (!organization.isEmpty()) {
            request.header("OpenAI-Organization", organization);
        }
    }
}
