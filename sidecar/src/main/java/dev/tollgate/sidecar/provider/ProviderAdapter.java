package dev.tollgate.sidecar.provider;

import java.io.IOException;

/**
 * Speaks one provider's wire format, translating OpenAI chat requests to it and its answers back.
 * Implementations are thread-safe and hold no per-request state. Failures are thrown as
 * {@link dev.tollgate.sidecar.failure.GatewayException} with a message naming the deployment.
 */
public interface ProviderAdapter {

    /**
     * A complete (non-streamed) OpenAI chat completion body, and what it consumed.
     *
     * @param tree the body as the adapter already parsed or built it, so that telemetry need not
     *             parse it again; null when the adapter has none
     */
    record ChatResponse(byte[] body, TokenUsage usage, com.fasterxml.jackson.databind.JsonNode tree) {
        public ChatResponse {
            java.util.Objects.requireNonNull(body, "body");
            java.util.Objects.requireNonNull(usage, "usage");
        }

        public ChatResponse(byte[] body, TokenUsage usage) {
            this(body, usage, null);
        }
    }

    /** Receives OpenAI {@code chat.completion.chunk} JSON objects, one per call, as they arrive. */
    @FunctionalInterface
    interface ChunkSink {
        void chunk(byte[] chunkJson) throws IOException;
    }

    /** A complete OpenAI {@code /v1/embeddings} response body, and what it consumed. */
    record EmbeddingResponse(byte[] body, TokenUsage usage) {
    }

    ChatResponse chat(ProviderCall call);

    /**
     * OpenAI embeddings: {@code call.body()} is an OpenAI embeddings request with {@code model}
     * rewritten. Providers without embeddings keep this default, which refuses with a 400 that
     * names the deployment.
     */
    default EmbeddingResponse embed(ProviderCall call) {
        throw new dev.tollgate.sidecar.failure.GatewayError(400, "invalid_request_error", "unsupported_operation",
                call.target().describe() + ": provider " + call.target().provider()
                        + " does not offer embeddings through Tollgate; point the alias at an embeddings deployment.")
                .exception();
    }

    /**
     * Streams a chat completion through {@code sink}, flushing each chunk as it arrives. Returns
     * what the stream consumed. Emits a usage chunk only when {@link ProviderCall#clientWantsUsage()}.
     */
    TokenUsage streamChat(ProviderCall call, ChunkSink sink) throws IOException;
}
