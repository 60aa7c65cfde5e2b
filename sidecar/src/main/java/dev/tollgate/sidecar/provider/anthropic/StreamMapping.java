package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One Anthropic event stream to OpenAI chunks, event by event: {@code message_start} opens with the
 * assistant role; text, thinking and tool-input deltas become content, {@code reasoning_content} and
 * tool-call deltas (index, id and name first, then argument fragments); {@code message_delta} carries the
 * stop reason and output count; {@code message_stop} closes with the finish reason (and usage when asked);
 * {@code error} is thrown. Confined to the stream's thread.
 */
final class StreamMapping {

    /** Marks the JSON-mode tool's block: its input fragments are the answer's content. */
    private static final int JSON_ANSWER = -1;

    private final ProviderCall call;
    private final ChunkSink sink;
    private final Optional<String> jsonTool;
    private final long created;
    private final UsageMapping.Counts counts = new UsageMapping.Counts();
    /** OpenAI tool-call index of each {@code tool_use} block, by Anthropic content block index. */
    private final Map<Integer, Integer> toolByBlock = new HashMap<>();
    private int nextTool;
    private String id = "";
    private String model;
    private String stopReason;
    private boolean stopped;

    StreamMapping(ProviderCall call, ChunkSink sink, Optional<String> jsonTool, long createdSeconds) {
        this.call = call;
        this.sink = sink;
        this.jsonTool = jsonTool;
        this.created = createdSeconds;
        this.model = call.deployment().getModel();
    }

    /** Handles one event (the JSON of its {@code data:} line). */
    void onEvent(JsonNode event) throws IOException {
        switch (event.path("type").asText()) {
            case "message_start" -> start(event.path("message"));
            case "content_block_start" -> blockStart(event.path("index").asInt(), event.path("content_block"));
            case "content_block_delta" -> blockDelta(event.path("index").asInt(), event.path("delta"));
            case "message_delta" -> {
                if (event.path("delta").path("stop_reason").isTextual()) {
                    stopReason = event.path("delta").path("stop_reason").asText();
                }
                counts.update(event.path("usage"));
            }
            case "message_stop" -> stop();
            case "error" -> throw error(event.path("error"));
            default -> {
                // ping, content_block_stop, and event types Anthropic may add: nothing to relay
            }
        }
    }

    boolean stopped() {
        return stopped;
    }

    TokenUsage usage() {
        return counts.tokens();
    }

    private void start(JsonNode message) throws IOException {
        id = message.path("id").asText(id);
        model = message.path("model").asText(model);
        counts.update(message.path("usage"));
        emit(Json.object().put("role", "assistant").put("content", ""), null);
    }

    private void blockStart(int index, JsonNode block) throws IOException {
        switch (block.path("type").asText()) {
            case "text" -> content("content", block.path("text").asText(""));
            case "thinking" -> content("reasoning_content", block.path("thinking").asText(""));
            case "tool_use" -> {
                if (jsonTool.isPresent() && jsonTool.get().equals(block.path("name").asText())) {
                    toolByBlock.put(index, JSON_ANSWER);
                    return;
                }
                int tool = nextTool++;
                toolByBlock.put(index, tool);
                ObjectNode delta = Json.object();
                ObjectNode toolCall = delta.putArray("tool_calls").addObject().put("index", tool)
                        .put("id", block.path("id").asText()).put("type", "function");
                toolCall.putObject("function").put("name", block.path("name").asText()).put("arguments", "");
                emit(delta, null);
            }
            default -> {
                // redacted_thinking, server tool blocks: no OpenAI counterpart
            }
        }
    }

    private void blockDelta(int index, JsonNode delta) throws IOException {
        switch (delta.path("type").asText()) {
            case "text_delta" -> content("content", delta.path("text").asText(""));
            case "thinking_delta" -> content("reasoning_content", delta.path("thinking").asText(""));
            case "input_json_delta" -> {
                Integer tool = toolByBlock.get(index);
                String fragment = delta.path("partial_json").asText("");
                if (tool == null || fragment.isEmpty()) {
                    return;
                }
                if (tool == JSON_ANSWER) {
                    content("content", fragment);
                    return;
                }
                ObjectNode d = Json.object();
                d.putArray("tool_calls").addObject().put("index", tool).putObject("function").put("arguments", fragment);
                emit(d, null);
            }
            default -> {
                // signature_delta, citations_delta: nothing to relay
            }
        }
    }

    private void stop() throws IOException {
        stopped = true;
        emit(Json.object(), StopReasons.toFinishReason(stopReason, jsonTool.isPresent()));
        if (call.clientWantsUsage()) {
            ObjectNode last = base();
            last.putArray("choices");
            last.set("usage", UsageMapping.openAi(counts.tokens()));
            sink.chunk(Json.bytes(last));
        }
    }

    private void content(String field, String text) throws IOException {
        if (!text.isEmpty()) {
            emit(Json.object().put(field, text), null);
        }
    }

    private void emit(ObjectNode delta, String finishReason) throws IOException {
        ObjectNode chunk = base();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.put("finish_reason", finishReason);
        sink.chunk(Json.bytes(chunk));
    }

    private ObjectNode base() {
        return Json.object().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model);
    }

    private GatewayException error(JsonNode error) {
        String type = error.path("type").asText("api_error");
        return ProviderErrors.fromStatus(call.target(), AnthropicErrors.statusFor(type),
                error.path("message").asText(type) + " (in the event stream)", type, Optional.empty(),
                call.deployment().getApiKey()).exception();
    }
}
