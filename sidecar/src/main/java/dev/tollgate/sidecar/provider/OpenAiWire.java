package dev.tollgate.sidecar.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.failure.Failures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI response shapes for adapters that translate another wire format: completion and chunk
 * skeletons, the usage object, and the embeddings list (float or base64). Stateless.
 */
public final class OpenAiWire {

    private static final ObjectMapper JSON = Json.mapper();

    private OpenAiWire() {
    }

    /** {@code {"id","object":"chat.completion","created","model"}}; the caller adds choices and usage. */
    public static ObjectNode completion(String id, long created, String model) {
        return JSON.createObjectNode().put("id", id).put("object", "chat.completion").put("created", created)
                .put("model", model);
    }

    /** A {@code chat.completion.chunk} with one choice carrying {@code delta} and {@code finishReason} (may be null). */
    public static ObjectNode chunk(String id, long created, String model, int index, ObjectNode delta,
                                   String finishReason) {
        ObjectNode chunk = JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", created).put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", index);
        choice.set("delta", delta);
        choice.put("finish_reason", finishReason);
        return chunk;
    }

    /** The last chunk of a stream whose client asked for {@code include_usage}: no choices, only usage. */
    public static ObjectNode usageChunk(String id, long created, String model, ObjectNode usage) {
        ObjectNode chunk = JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", created).put("model", model);
        chunk.putArray("choices");
        chunk.set("usage", usage);
        return chunk;
    }

    /** The OpenAI {@code usage} object; {@code prompt_tokens_details} only when something was cached. */
    public static ObjectNode usage(TokenUsage usage) {
        ObjectNode node = JSON.createObjectNode()
                .put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.promptTokens() + usage.completionTokens());
        if (usage.cachedTokens() > 0) {
            node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        }
        return node;
    }

    /**
     * The texts of an OpenAI embeddings request's {@code input} (a string or a list of strings).
     * Token-id arrays are refused with a 400 naming {@code input}: only OpenAI accepts them.
     */
    public static List<String> embeddingTexts(ProviderCall call) {
        JsonNode input = call.body().path("input");
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.asText());
            return texts;
        }
        for (JsonNode item : input) {
            if (!item.isTextual()) {
                throw Failures.badField("input", call.target().describe() + " accepts 'input' only as a string or a "
                        + "list of strings (token arrays are an OpenAI-only form).").exception();
            }
            texts.add(item.asText());
        }
        return texts;
    }

    /**
     * An OpenAI embeddings list. {@code vectors} are JSON number arrays; with {@code encoding_format}
     * {@code base64} each becomes little-endian float32 bytes in base64, as OpenAI sends them.
     */
    public static byte[] embeddings(List<JsonNode> vectors, String model, long promptTokens, String encodingFormat) {
        ObjectNode response = JSON.createObjectNode().put("object", "list");
        ArrayNode data = response.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            JsonNode vector = vectors.get(i);
            if ("base64".equals(encodingFormat)) {
                ByteBuffer buf = ByteBuffer.allocate(vector.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                vector.forEach(x -> buf.putFloat(x.floatValue()));
                item.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
            } else {
                item.set("embedding", vector);
            }
        }
        response.put("model", model);
        response.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
        return bytes(response);
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
