package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.TokenUsage;

/**
 * A Converse response to an OpenAI {@code chat.completion}: text blocks join into {@code content}, {@code toolUse}
 * blocks become {@code tool_calls}, {@code stopReason} becomes {@code finish_reason}, and token usage is counted the
 * OpenAI way (prompt tokens include cached ones). Also holds the finish-reason and usage rules the stream uses.
 */
final class ResponseMapping {

    private ResponseMapping() {
    }

    static ObjectNode completion(JsonNode converse, String id, String model, long created) {
        ObjectNode out = BedrockAdapter.JSON.createObjectNode()
                .put("id", id)
                .put("object", "chat.completion")
                .put("created", created)
                .put("model", model);
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        StringBuilder text = new StringBuilder();
        ArrayNode toolCalls = BedrockAdapter.JSON.createArrayNode();
        for (JsonNode block : converse.path("output").path("message").path("content")) {
            if (block.has("text")) {
                text.append(block.path("text").asText());
            } else if (block.has("toolUse")) {
                toolCalls.add(toolCall(block.path("toolUse")));
            }
        }
        if (text.isEmpty() && !toolCalls.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", text.toString());
        }
        if (!toolCalls.isEmpty()) {
            message.set("tool_calls", toolCalls);
        }
        choice.put("finish_reason", finishReason(converse.path("stopReason").asText("")));
        out.set("usage", usageNode(usage(converse.path("usage"))));
        return out;
    }

    private static ObjectNode toolCall(JsonNode toolUse) {
        ObjectNode call = BedrockAdapter.JSON.createObjectNode()
                .put("id", toolUse.path("toolUseId").asText())
                .put("type", "function");
        JsonNode input = toolUse.path("input");
        call.putObject("function")
                .put("name", toolUse.path("name").asText())
                .put("arguments", input.isMissingNode() || input.isNull() ? "{}" : input.toString());
        return call;
    }

    /** Converse {@code stopReason} to OpenAI {@code finish_reason}; unknown or missing reasons count as stop. */
    static String finishReason(String stopReason) {
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "guardrail_intervened", "content_filtered" -> "content_filter";
            default -> "stop";
        };
    }

    /** Converse usage: inputTokens excludes cache reads and writes, OpenAI's prompt_tokens includes them. */
    static TokenUsage usage(JsonNode usage) {
        long cacheRead = usage.path("cacheReadInputTokens").asLong(0);
        long cacheWrite = usage.path("cacheWriteInputTokens").asLong(0);
        return TokenUsage.reported(TokenUsage.sum(usage.path("inputTokens").asLong(0), cacheRead, cacheWrite),
                usage.path("outputTokens").asLong(0), cacheRead);
    }

    static ObjectNode usageNode(TokenUsage usage) {
        ObjectNode node = BedrockAdapter.JSON.createObjectNode()
                .put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.promptTokens() + usage.completionTokens());
        node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        return node;
    }
}
