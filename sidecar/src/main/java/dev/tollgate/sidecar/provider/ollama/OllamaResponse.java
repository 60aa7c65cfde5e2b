package dev.tollgate.sidecar.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;

/**
 * An Ollama {@code /api/chat} answer as an OpenAI chat completion: {@code message.content} to
 * content, {@code message.thinking} to {@code reasoning_content}, {@code message.tool_calls}
 * (object arguments) to tool calls (string arguments, ids made up when Ollama sends none),
 * {@code done_reason} to finish_reason, {@code prompt_eval_count}/{@code eval_count} to usage.
 * Stateless.
 */
final class OllamaResponse {

    private OllamaResponse() {
    }

    static ObjectNode completion(ProviderCall call, JsonNode answer, long created) {
        ObjectNode out = OpenAiWire.completion("chatcmpl-" + call.requestId(), created, model(call, answer));
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        JsonNode message = answer.path("message");
        ArrayNode calls = toolCalls(call, message.path("tool_calls"), 0, false);
        ObjectNode translated = choice.putObject("message").put("role", "assistant");
        String content = message.path("content").asText("");
        if (content.isEmpty() && !calls.isEmpty()) {
            translated.putNull("content");
        } else {
            translated.put("content", content);
        }
        if (!message.path("thinking").asText("").isEmpty()) {
            translated.put("reasoning_content", message.path("thinking").asText());
        }
        if (!calls.isEmpty()) {
            translated.set("tool_calls", calls);
        }
        choice.put("finish_reason", finishReason(answer.path("done_reason").asText(""), !calls.isEmpty()));
        out.set("usage", OpenAiWire.usage(usage(answer)));
        return out;
    }

    /** OpenAI tool calls numbered from {@code first}; stream deltas carry an {@code index}. */
    static ArrayNode toolCalls(ProviderCall call, JsonNode calls, int first, boolean withIndex) {
        ArrayNode out = OllamaRequest.JSON.createArrayNode();
        for (JsonNode c : calls) {
            int n = first + out.size();
            ObjectNode translated = out.addObject();
            if (withIndex) {
                translated.put("index", n);
            }
            String id = c.path("id").asText("");
            translated.put("id", id.isEmpty() ? "call_" + shortId(call.requestId()) + "_" + n : id)
                    .put("type", "function");
            JsonNode arguments = c.path("function").path("arguments");
            translated.putObject("function").put("name", c.path("function").path("name").asText())
                    .put("arguments", arguments.isTextual() ? arguments.asText()
                            : arguments.isObject() ? arguments.toString() : "{}");
        }
        return out;
    }

    static String finishReason(String doneReason, boolean calledTools) {
        if (doneReason.equals("length")) {
            return "length";
        }
        return calledTools ? "tool_calls" : "stop";
    }

    static TokenUsage usage(JsonNode answer) {
        return TokenUsage.reported(answer.path("prompt_eval_count").asLong(0), answer.path("eval_count").asLong(0), 0);
    }

    static String model(ProviderCall call, JsonNode answer) {
        String model = answer.path("model").asText("");
        return model.isEmpty() ? call.deployment().getModel() : model;
    }

    private static String shortId(String requestId) {
        String compact = String.valueOf(requestId).replace("-", "");
        return compact.length() > 12 ? compact.substring(0, 12) : compact;
    }
}
