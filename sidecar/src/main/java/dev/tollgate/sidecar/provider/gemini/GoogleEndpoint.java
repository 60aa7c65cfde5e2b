package dev.tollgate.sidecar.provider.gemini;

import dev.tollgate.sidecar.provider.ProviderAdapter.EmbeddingResponse;
import dev.tollgate.sidecar.provider.ProviderCall;
import java.net.http.HttpRequest;

/**
 * Where a Gemini call goes and how it authenticates: Google AI Studio ({@link AiStudioEndpoint})
 * or Vertex AI. Both speak the same generateContent format; they differ in URL, credential and
 * embeddings API. Implementations are immutable and thread-safe.
 */
public interface GoogleEndpoint {

    /** The host part the deployment points at, without trailing slash; named in connection errors. */
    String base(ProviderCall call);

    /** The URL of a model method such as {@code generateContent}, without query string. */
    String modelUrl(ProviderCall call, String method);

    /** Adds the credential header. */
    void authorize(ProviderCall call, HttpRequest.Builder request);

    /** OpenAI embeddings through this endpoint's embeddings API. */
    EmbeddingResponse embed(ProviderCall call, GoogleTransport transport);

    /** {@code base} without a trailing slash. */
    static String trimmed(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
