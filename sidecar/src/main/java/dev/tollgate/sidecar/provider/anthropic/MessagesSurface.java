package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;

/**
 * The translations behind the sidecar's Anthropic-compatible {@code POST /v1/messages}, which serves any
 * deployment through its OpenAI-shaped adapter: an Anthropic request to an OpenAI chat request, and an
 * OpenAI completion back to an Anthropic message (streams: {@link SurfaceStream}). Validation failures
 * are thrown as {@link dev.tollgate.sidecar.failure.GatewayException}. Thread-safe (stateless).
 */
public final class MessagesSurface {

    private MessagesSurface() {
    }

    /** An OpenAI chat request (model still the alias) for an Anthropic Messages request. */
    public static ObjectNode toOpenAiRequest(ObjectNode anthropicRequest) {
        return SurfaceRequest.toOpenAi(anthropicRequest);
    }

    /** An Anthropic message for an OpenAI chat completion; {@code model} is what the client asked for. */
    public static byte[] toAnthropicResponse(byte[] openAiCompletion, String model, TokenUsage usage) {
        JsonNode completion;
        try {
            completion = Json.MAPPER.readTree(openAiCompletion);
        } catch (IOException e) {
            completion = null;
        }
        if (completion == null || !completion.path("choices").isArray()) {
            throw new GatewayError(502, "api_error", "provider_bad_response",
                    "The deployment behind '" + model + "' answered with a body that is not a chat completion.")
                    .exception();
        }
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        ObjectNode out = Json.object().put("id", messageId(completion.path("id").asText("")))
                .put("type", "message").put("role", "assistant").put("model", model);
        ArrayNode content = out.putArray("content");
        String text = Json.text(message.path("content"));
        if (!text.isEmpty()) {
            content.addObject().put("type", "text").put("text", text);
        }
        for (JsonNode call : message.path("tool_calls")) {
            ObjectNode input = Json.argumentsObject(call.path("function").path("arguments").asText(""));
            content.addObject().put("type", "tool_use").put("id", call.path("id").asText())
                    .put("name", call.path("function").path("name").asText())
                    .set("input", input == null ? Json.object() : input);
        }
        out.put("stop_reason", StopReasons.toStopReason(choice.path("finish_reason").textValue()));
        out.putNull("stop_sequence");
        out.set("usage", UsageMapping.anthropic(usage));
        return Json.bytes(out);
    }

    /** Anthropic ids start with {@code msg_}; keep the provider's id when it already does. */
    static String messageId(String id) {
        return id.startsWith("msg_") ? id : "msg_" + id.replace("chatcmpl-", "");
    }
}
