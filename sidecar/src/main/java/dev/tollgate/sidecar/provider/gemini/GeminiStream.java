package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns the events of one Gemini SSE stream (each a whole {@code GenerateContentResponse} holding
 * the next piece) into OpenAI chunks as they arrive: the first delta of each choice carries
 * {@code role}, tool calls are numbered across events, a finish reason closes each choice, and a
 * usage chunk ends the stream when the client asked. Confined to the request's thread.
 */
final class GeminiStream {

    /** Progress of one choice (candidate index). */
    private static final class Choice {
        boolean roleSent;
        int toolCalls;
        boolean finished;
    }

    private final ProviderCall call;
    private final ChunkSink sink;
    private final long created;
    private final Map<Integer, Choice> choices = new HashMap<>();
    private String id;
    private String model;
    private JsonNode usageMetadata = GoogleTransport.JSON.missingNode();

    GeminiStream(ProviderCall call, ChunkSink sink, long created) {
        this.call = call;
        this.sink = sink;
        this.created = created;
    }

    /** Translates one event. */
    void event(JsonNode event) throws IOException {
        if (event.has("error")) {
            throw GoogleErrors.midStream(call, event.path("error"));
        }
        if (id == null) {
            id = GeminiResponse.id(call, event);
            model = GeminiResponse.model(call, event);
        }
        if (event.path("usageMetadata").isObject()) {
            // Usage is cumulative: the last event's is the total.
            usageMetadata = event.path("usageMetadata");
        }
        JsonNode candidates = GeminiResponse.candidates(event);
        if (candidates.isEmpty() && event.path("promptFeedback").hasNonNull("blockReason")) {
            emit(0, choice(0), GoogleTransport.JSON.createObjectNode(), null);
            finish(0, "content_filter");
            return;
        }
        for (int i = 0; i < candidates.size(); i++) {
            JsonNode candidate = candidates.get(i);
            int index = candidate.path("index").asInt(i);
            Choice choice = choice(index);
            GeminiResponse.Parts parts = GeminiResponse.parts(candidate.path("content").path("parts"), id, index,
                    choice.toolCalls);
            ObjectNode delta = GoogleTransport.JSON.createObjectNode();
            if (!parts.text().isEmpty()) {
                delta.put("content", parts.text());
            }
            if (!parts.reasoning().isEmpty()) {
                delta.put("reasoning_content", parts.reasoning());
            }
            if (!parts.toolCalls().isEmpty()) {
                delta.set("tool_calls", parts.toolCalls());
                choice.toolCalls += parts.toolCalls().size();
            }
            if (!delta.isEmpty() || !choice.roleSent) {
                emit(index, choice, delta, null);
            }
            String reason = candidate.path("finishReason").asText("");
            if (!reason.isEmpty() && !reason.equals("FINISH_REASON_UNSPECIFIED")) {
                finish(index, GeminiResponse.finishReason(reason, choice.toolCalls > 0));
            }
        }
    }

    /** Ends the stream: every choice must have finished; then the usage chunk if asked for. */
    TokenUsage end() throws IOException {
        if (choices.isEmpty() || choices.values().stream().anyMatch(c -> !c.finished)) {
            throw new GatewayError(502, "api_error", "provider_stream_error", call.target().describe()
                    + ": the provider's stream ended before a finish reason; the answer is incomplete.").exception();
        }
        TokenUsage usage = GeminiResponse.usage(usageMetadata);
        if (call.clientWantsUsage()) {
            sink.chunk(OpenAiWire.bytes(OpenAiWire.usageChunk("chatcmpl-" + id, created, model,
                    GeminiResponse.usageNode(usageMetadata))));
        }
        return usage;
    }

    private Choice choice(int index) {
        return choices.computeIfAbsent(index, i -> new Choice());
    }

    private void emit(int index, Choice choice, ObjectNode delta, String finishReason) throws IOException {
        if (!choice.roleSent) {
            ObjectNode first = GoogleTransport.JSON.createObjectNode().put("role", "assistant");
            if (!delta.has("content")) {
                first.put("content", "");
            }
            first.setAll(delta);
            delta = first;
            choice.roleSent = true;
        }
        sink.chunk(OpenAiWire.bytes(OpenAiWire.chunk("chatcmpl-" + id, created, model, index, delta, finishReason)));
    }

    private void finish(int index, String reason) throws IOException {
        Choice choice = choice(index);
        if (!choice.finished) {
            choice.finished = true;
            emit(index, choice, GoogleTransport.JSON.createObjectNode(), reason);
        }
    }
}
