package dev.tollgate.sidecar.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderCall;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * Where an OpenAI-shaped call goes and how it proves who it is. {@link OpenAiAdapter} owns the
 * relay (request pass-through, stream relay, error mapping); an upstream only chooses the URL, the
 * credential headers and the quirks of one provider, so Azure and the OpenAI-compatible family reuse
 * the relay instead of copying it. Implementations are immutable and thread-safe.
 */
public interface OpenAiUpstream {

    /** How a provider reports usage on a stream. */
    enum StreamUsage {
        /** Only when asked with {@code stream_options.include_usage} (OpenAI, Azure, vLLM, ...). */
        WHEN_ASKED,
        /**
         * Always, in the last chunk, and {@code stream_options} is refused (Mistral answers 422 "extra
         * inputs are not permitted"), so the field is removed before the call.
         */
        ALWAYS_AND_REFUSES_OPTION
    }

    /**
     * The base URL this deployment uses, without a trailing slash; named in connection errors.
     * Throws a {@link dev.tollgate.sidecar.failure.GatewayException} when the deployment lacks
     * what the URL needs.
     */
    String base(ProviderCall call);

    /** The URL of one operation ({@code /chat/completions} or {@code /embeddings}). */
    default String url(ProviderCall call, String operation) {
        return base(call) + operation;
    }

    /** Adds the credential (and any account) headers. */
    void authorize(ProviderCall call, HttpRequest.Builder request);

    /** The credential in use, scrubbed from every provider message quoted to the client. */
    default String secret(ProviderCall call) {
        return call.deployment().getApiKey();
    }

    default StreamUsage streamUsage() {
        return StreamUsage.WHEN_ASKED;
    }

    /**
     * A more precise error than the status mapping for an error body this provider is known to
     * send (e.g. Azure's content filter), or empty to use the standard mapping.
     */
    default Optional<GatewayError> classify(ProviderCall call, int status, JsonNode errorBody) {
        return Optional.empty();
    }
}
