package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.util.Optional;

/**
 * Anthropic message to OpenAI {@code chat.completion}: text blocks become {@code message.content},
 * {@code tool_use} blocks {@code tool_calls} (input as a JSON string), thinking blocks
 * {@code reasoning_content}; stop reason and usage through their tables.
 */
final class ResponseMapping {

    private ResponseMapping() {
    }

    static ObjectNode toOpenAi(JsonNode message, Optional<String> jsonTool, long createdSeconds) {
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        ArrayNode toolCalls = Json.array();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "thinking" -> thinking.append(block.path("thinking").asText());
                case "tool_use" -> {
                    if (jsonTool.isPresent() && jsonTool.get().equals(block.path("name").asText())) {
                        text.append(block.path("input").toString());
                    } else {
                        toolCalls.add(toolCall(block));
                    }
                }
                default -> {
                    // redacted_thinking and server-tool blocks have no OpenAI counterpart
                }
            }
        }
        ObjectNode out = Json.object()
                .put("id", message.path("id").asText())
                .put("object", "chat.completion")
                .put("created", createdSeconds)
                .put("model", message.path("model").asText());
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        ObjectNode msg = choice.putObject("message").put("role", "assistant");
        if (text.isEmpty() && !toolCalls.isEmpty()) {
            msg.putNull("content");
        } else {
            msg.put("content", text.toString());
        }
        if (!thinking.isEmpty()) {
            msg.put("reasoning_content", thinking.toString());
        }
        if (!toolCalls.isEmpty()) {
            msg.set("tool_calls", toolCalls);
        }
        choice.put("finish_reason", StopReasons.toFinishReason(message.path("stop_reason").textValue(),
                jsonTool.isPresent()));
        out.set("usage", UsageMapping.openAi(usage(message)));
        return out;
    }

    static TokenUsage usage(JsonNode message) {
        return UsageMapping.fromAnthropic(message.path("usage"));
    }

    private static ObjectNode toolCall(JsonNode toolUse) {
        ObjectNode call = Json.object().put("id", toolUse.path("id").asText()).put("type", "function");
        call.putObject("function").put("name", toolUse.path("name").asText())
                .put("arguments", toolUse.path("input").isMissingNode() ? "{}" : toolUse.path("input").toString());
        return call;
    }
}
