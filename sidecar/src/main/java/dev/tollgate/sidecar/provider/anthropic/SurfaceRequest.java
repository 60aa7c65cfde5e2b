package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import java.util.Map;
import java.util.Set;

/**
 * Anthropic Messages request to OpenAI chat request, for the {@code /v1/messages} surface: the reverse
 * of the adapter's tables. {@code system} becomes a system message, {@code tool_result} blocks become
 * tool messages (placed before the rest of their user turn), {@code tool_use} blocks assistant
 * {@code tool_calls}. Fields it does not translate pass through for the deployment's adapter to judge.
 */
final class SurfaceRequest {

    private static final Set<String> TRANSLATED = Set.of("model", "messages", "system", "max_tokens",
            "stop_sequences", "metadata", "tools", "tool_choice", "stream");

    private SurfaceRequest() {
    }

    static ObjectNode toOpenAi(ObjectNode in) {
        JsonNode maxTokens = in.get("max_tokens");
        if (maxTokens == null || !maxTokens.canConvertToInt() || maxTokens.asInt() < 1) {
            throw Failures.badField("max_tokens", "max_tokens: Field required (a positive integer).").exception();
        }
        JsonNode messages = in.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw Failures.badField("messages", "messages: Field required (a non-empty list of {role, content}).")
                    .exception();
        }
        ObjectNode out = Json.object();
        for (Map.Entry<String, JsonNode> field : in.properties()) {
            if (!TRANSLATED.contains(field.getKey())) {
                out.set(field.getKey(), field.getValue());
            }
        }
        out.put("model", in.path("model").asText());
        ArrayNode openAiMessages = out.putArray("messages");
        system(in.path("system"), openAiMessages);
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            switch (m.path("role").asText()) {
                case "user" -> user(m.path("content"), at, openAiMessages);
                case "assistant" -> assistant(m.path("content"), at, openAiMessages);
                default -> throw Failures.badField(at + ".role", at + ".role must be user or assistant; put system "
                        + "instructions in the top-level system field.").exception();
            }
        }
        out.put("max_tokens", maxTokens.asInt());
        if (in.path("stop_sequences").isArray() && !in.path("stop_sequences").isEmpty()) {
            out.set("stop", in.path("stop_sequences"));
        }
        if (in.path("metadata").path("user_id").isTextual()) {
            out.put("user", in.path("metadata").path("user_id").asText());
        }
        ToolMapping.toOpenAi(in, out);
        if (in.path("stream").asBoolean(false)) {
            out.put("stream", true); // usage comes back from the adapter; no include_usage chunk needed
        }
        return out;
    }

    private static void system(JsonNode system, ArrayNode out) {
        if (system.isTextual() && !system.asText().isEmpty()) {
            out.addObject().put("role", "system").put("content", system.asText());
        } else if (system.isArray() && !system.isEmpty()) {
            boolean cached = false;
            for (JsonNode block : system) {
                cached |= block.has("cache_control");
            }
            // Keep blocks only where a cache breakpoint must survive; plain text suits every provider.
            out.addObject().put("role", "system").set("content", cached ? textParts(system) : Json.MAPPER
                    .getNodeFactory().textNode(Json.text(system)));
        }
    }

    private static void user(JsonNode content, String at, ArrayNode out) {
        if (content.isTextual()) {
            out.addObject().put("role", "user").put("content", content.asText());
            return;
        }
        if (!content.isArray()) {
            throw MessageMapping.badContent(at + ".content", "must be a string or a list of content blocks");
        }
        ArrayNode parts = Json.array();
        for (int j = 0; j < content.size(); j++) {
            JsonNode block = content.get(j);
            String blockAt = at + ".content[" + j + "]";
            switch (block.path("type").asText()) {
                case "text" -> parts.add(textPart(block));
                case "image", "document" -> parts.add(ContentParts.toOpenAi(block, blockAt));
                case "tool_result" -> out.addObject().put("role", "tool")
                        .put("tool_call_id", block.path("tool_use_id").asText())
                        .put("content", Json.text(block.path("content")));
                default -> throw MessageMapping.badContent(blockAt, "has type '" + block.path("type").asText()
                        + "'; the gateway's /v1/messages accepts text, image, document and tool_result in user turns");
            }
        }
        if (!parts.isEmpty()) {
            out.addObject().put("role", "user").set("content", parts);
        }
    }

    private static void assistant(JsonNode content, String at, ArrayNode out) {
        ObjectNode message = Json.object().put("role", "assistant");
        if (content.isTextual()) {
            out.add(message.put("content", content.asText()));
            return;
        }
        if (!content.isArray() && !content.isNull() && !content.isMissingNode()) {
            throw MessageMapping.badContent(at + ".content", "must be a string or a list of content blocks");
        }
        StringBuilder text = new StringBuilder();
        ArrayNode calls = Json.array();
        for (int j = 0; j < content.size(); j++) {
            JsonNode block = content.get(j);
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> calls.addObject().put("id", block.path("id").asText()).put("type", "function")
                        .putObject("function").put("name", block.path("name").asText())
                        .put("arguments", block.path("input").isObject() ? block.path("input").toString() : "{}");
                case "thinking", "redacted_thinking" -> {
                    // the model's own reasoning is not replayed to other providers
                }
                default -> throw MessageMapping.badContent(at + ".content[" + j + "]", "has type '"
                        + block.path("type").asText() + "'; assistant turns may hold text and tool_use");
            }
        }
        if (text.isEmpty() && !calls.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", text.toString());
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
        out.add(message);
    }

    private static ArrayNode textParts(JsonNode blocks) {
        ArrayNode parts = Json.array();
        blocks.forEach(b -> parts.add(textPart(b)));
        return parts;
    }

    private static ObjectNode textPart(JsonNode block) {
        ObjectNode part = Json.object().put("type", "text").put("text", block.path("text").asText());
        if (block.path("cache_control").isObject()) {
            part.set("cache_control", block.path("cache_control"));
        }
        return part;
    }
}
