package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;

/**
 * A Gemini {@code GenerateContentResponse} as an OpenAI chat completion: candidates to choices,
 * text parts to content (thought parts to {@code reasoning_content}), function calls to tool
 * calls, finish reasons and usage metadata translated. Also used per event by {@link GeminiStream}.
 * Stateless.
 */
final class GeminiResponse {

    /** What one candidate's parts say; {@code toolCalls} carry an {@code index} for stream deltas. */
    record Parts(String text, String reasoning, ArrayNode toolCalls) {
    }

    private GeminiResponse() {
    }

    static ObjectNode completion(ProviderCall call, JsonNode response, long created) {
        String id = id(call, response);
        ObjectNode out = OpenAiWire.completion("chatcmpl-" + id, created, model(call, response));
        ArrayNode choices = out.putArray("choices");
        JsonNode candidates = candidates(response);
        if (candidates.isEmpty()) {
            // A blocked prompt has no candidate, only promptFeedback.blockReason.
            String reason = response.path("promptFeedback").hasNonNull("blockReason") ? "content_filter" : "stop";
            ObjectNode choice = choices.addObject().put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", "");
            choice.put("finish_reason", reason);
        }
        for (int i = 0; i < candidates.size(); i++) {
            JsonNode candidate = candidates.get(i);
            int index = candidate.path("index").asInt(i);
            Parts parts = parts(candidate.path("content").path("parts"), id, index, 0);
            ObjectNode choice = choices.addObject().put("index", index);
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            if (parts.text().isEmpty() && !parts.toolCalls().isEmpty()) {
                message.putNull("content");
            } else {
                message.put("content", parts.text());
            }
            if (!parts.reasoning().isEmpty()) {
                message.put("reasoning_content", parts.reasoning());
            }
            if (!parts.toolCalls().isEmpty()) {
                parts.toolCalls().forEach(c -> ((ObjectNode) c).remove("index"));
                message.set("tool_calls", parts.toolCalls());
            }
            choice.put("finish_reason", finishReason(candidate.path("finishReason").asText(),
                    !parts.toolCalls().isEmpty()));
        }
        out.set("usage", usageNode(response.path("usageMetadata")));
        return out;
    }

    /**
     * The {@code candidates} list, or an empty one when the answer has none or something else there: an
     * object's size() counts fields that get(i) cannot reach.
     */
    static JsonNode candidates(JsonNode response) {
        JsonNode candidates = response.path("candidates");
        return candidates.isArray() ? candidates : GoogleTransport.JSON.createArrayNode();
    }

    /** Splits Gemini parts into text, thoughts and tool calls (numbered from {@code firstToolIndex}). */
    static Parts parts(JsonNode parts, String responseId, int candidate, int firstToolIndex) {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode toolCalls = GoogleTransport.JSON.createArrayNode();
        for (JsonNode part : parts) {
            if (part.has("functionCall")) {
                int n = firstToolIndex + toolCalls.size();
                JsonNode call = part.path("functionCall");
                ObjectNode toolCall = toolCalls.addObject().put("index", n)
                        .put("id", ToolCallIds.make(responseId, candidate, n, part.path("thoughtSignature").asText()))
                        .put("type", "function");
                toolCall.putObject("function").put("name", call.path("name").asText())
                        .put("arguments", call.path("args").isObject() ? call.path("args").toString() : "{}");
            } else if (part.path("thought").asBoolean(false)) {
                reasoning.append(part.path("text").asText());
            } else if (part.has("text")) {
                text.append(part.path("text").asText());
            }
        }
        return new Parts(text.toString(), reasoning.toString(), toolCalls);
    }

    static String finishReason(String gemini, boolean calledTools) {
        return switch (gemini) {
            case "MAX_TOKENS" -> "length";
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" -> "content_filter";
            default -> calledTools ? "tool_calls" : "stop";
        };
    }

    /** Thinking tokens are billed as output, so they count as completion tokens. */
    static TokenUsage usage(JsonNode metadata) {
        long prompt = TokenUsage.sum(metadata.path("promptTokenCount").asLong(0),
                metadata.path("toolUsePromptTokenCount").asLong(0));
        long completion = TokenUsage.sum(metadata.path("candidatesTokenCount").asLong(0),
                metadata.path("thoughtsTokenCount").asLong(0));
        return TokenUsage.reported(prompt, completion, metadata.path("cachedContentTokenCount").asLong(0));
    }

    static ObjectNode usageNode(JsonNode metadata) {
        ObjectNode usage = OpenAiWire.usage(usage(metadata));
        long thoughts = metadata.path("thoughtsTokenCount").asLong(0);
        if (thoughts > 0) {
            usage.putObject("completion_tokens_details").put("reasoning_tokens", thoughts);
        }
        return usage;
    }

    /** Gemini's {@code responseId} when it sends one, else the gateway's request id. */
    static String id(ProviderCall call, JsonNode response) {
        String id = response.path("responseId").asText("");
        return id.isEmpty() ? String.valueOf(call.requestId()) : id;
    }

    static String model(ProviderCall call, JsonNode response) {
        String version = response.path("modelVersion").asText("");
        return version.isEmpty() ? call.deployment().getModel() : version;
    }
}
