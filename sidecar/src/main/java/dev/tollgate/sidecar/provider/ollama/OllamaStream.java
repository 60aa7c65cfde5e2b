package dev.tollgate.sidecar.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.Redaction;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;

/**
 * Turns Ollama's NDJSON stream (one JSON object per line; the last has {@code done: true},
 * {@code done_reason} and the token counts) into OpenAI chunks as lines arrive. Confined to the
 * request's thread.
 */
final class OllamaStream {

    private final ProviderCall call;
    private final ChunkSink sink;
    private final long created;
    private boolean roleSent;
    private int toolCalls;
    private boolean done;
    private TokenUsage usage = TokenUsage.NONE;
    private String model;

    OllamaStream(ProviderCall call, ChunkSink sink, long created) {
        this.call = call;
        this.sink = sink;
        this.created = created;
    }

    void line(JsonNode line) throws IOException {
        if (line.has("error")) {
            throw new GatewayError(502, "api_error", "provider_stream_error", call.target().describe()
                    + ": the provider reported an error mid-stream: \""
                    + Redaction.scrub(line.path("error").asText(), call.deployment().getApiKey()) + "\"").exception();
        }
        if (model == null) {
            model = OllamaResponse.model(call, line);
        }
        JsonNode message = line.path("message");
        ObjectNode delta = OllamaRequest.JSON.createObjectNode();
        if (!message.path("content").asText("").isEmpty()) {
            delta.put("content", message.path("content").asText());
        }
        if (!message.path("thinking").asText("").isEmpty()) {
            delta.put("reasoning_content", message.path("thinking").asText());
        }
        ArrayNode calls = OllamaResponse.toolCalls(call, message.path("tool_calls"), toolCalls, true);
        if (!calls.isEmpty()) {
            delta.set("tool_calls", calls);
            toolCalls += calls.size();
        }
        if (!delta.isEmpty() || !roleSent) {
            emit(delta, null);
        }
        if (line.path("done").asBoolean(false)) {
            done = true;
            usage = OllamaResponse.usage(line);
            emit(OllamaRequest.JSON.createObjectNode(),
                    OllamaResponse.finishReason(line.path("done_reason").asText(""), toolCalls > 0));
        }
    }

    TokenUsage end() throws IOException {
        if (!done) {
            throw new GatewayError(502, "api_error", "provider_stream_error", call.target().describe()
                    + ": the provider's stream ended before its done line; the answer is incomplete.").exception();
        }
        if (call.clientWantsUsage()) {
            sink.chunk(OpenAiWire.bytes(OpenAiWire.usageChunk(id(), created, model, OpenAiWire.usage(usage))));
        }
        return usage;
    }

    private void emit(ObjectNode delta, String finishReason) throws IOException {
        if (!roleSent) {
            ObjectNode first = OllamaRequest.JSON.createObjectNode().put("role", "assistant");
            if (!delta.has("content")) {
                first.put("content", "");
            }
            first.setAll(delta);
            delta = first;
            roleSent = true;
        }
        sink.chunk(OpenAiWire.bytes(OpenAiWire.chunk(id(), created, model, 0, delta, finishReason)));
    }

    private String id() {
        return "chatcmpl-" + call.requestId();
    }
}
