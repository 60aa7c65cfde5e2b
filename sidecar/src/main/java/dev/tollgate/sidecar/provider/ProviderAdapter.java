package dev.tollgate.sidecar.provider;

import java.io.IOException;

/**
 * Speaks one provider's wire format, translating OpenAI chat requests to it and its answers back.
 * Implementations are thread-safe and hold no per-request state. Failures are thrown as
 * {@link dev.tollgate.sidecar.failure.GatewayException} with a message naming the deployment.
 */
public interface ProviderAdapter {

    /** A complete (non-streamed) OpenAI chat completion body, and what it consumed. */
    record ChatResponse(byte[] body, TokenUsage usage) {
    }

    /** Receives OpenAI {@code chat.completion.chunk} JSON objects, one per call, as they arrive. */
    @FunctionalInterface
    interface ChunkSink {
        void chunk(byte[] chunkJson) throws IOException;
    }

    ChatResponse chat(ProviderCall call);

    /**
     * Streams a chat completion through {@code sink}, flushing each chunk as it arrives. Returns
     * what the stream consumed. Emits a usage chunk only when {@link ProviderCall#clientWantsUsage()}.
     */
    TokenUsage streamChat(ProviderCall call, ChunkSink sink) throws IOException;
}
