package dev.tollgate.sidecar.provider.gemini;

import dev.tollgate.sidecar.provider.ProviderAdapter.EmbeddingResponse;
import dev.tollgate.sidecar.provider.ProviderCall;
import java.net.http.HttpRequest;

/**
 * Google AI Studio (the Gemini API): {@code {api_base}/v1beta/models/{model}:{method}} with the
 * key in {@code x-goog-api-key} (never in the URL, where it would reach access logs). Immutable.
 */
public final class AiStudioEndpoint implements GoogleEndpoint {

    static final String DEFAULT_BASE = "https://generativelanguage.googleapis.com";

    @Override
    public String base(ProviderCall call) {
        String base = call.deployment().getApiBase();
        return GoogleEndpoint.trimmed(base.isEmpty() ? DEFAULT_BASE : base);
    }

    @Override
    public String modelUrl(ProviderCall call, String method) {
        String base = base(call);
        // Accept an api_base that already names the API version, as copied from Google's docs.
        String root = base.endsWith("/v1beta") || base.endsWith("/v1") ? base : base + "/v1beta";
        return root + "/models/" + call.deployment().getModel() + ":" + method;
    }

    @Override
    public void authorize(ProviderCall call, HttpRequest.Builder request) {
        String key = call.deployment().getApiKey();
        if (!key.isEmpty()) {
            request.header("x-goog-api-key", key);
        }
    }

    @Override
    public EmbeddingResponse embed(ProviderCall call, GoogleTransport transport) {
        return GeminiEmbeddings.embed(call, this, transport);
    }
}
