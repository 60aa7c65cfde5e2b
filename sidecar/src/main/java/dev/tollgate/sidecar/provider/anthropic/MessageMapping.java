package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayException;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI messages to Anthropic's {@code system} and {@code messages}: system and developer messages are
 * lifted to {@code system}; tool results become {@code tool_result} blocks of a user turn; consecutive
 * turns of one role are merged, because Anthropic accepts only alternating user and assistant turns.
 */
final class MessageMapping {

    private MessageMapping() {
    }

    /** One Anthropic turn being assembled. */
    private record Turn(String role, ArrayNode content) {
    }

    static void toAnthropic(JsonNode messages, ObjectNode out) {
        ArrayNode system = Json.array();
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            switch (m.path("role").asText()) {
                case "system", "developer" -> system.addAll(textBlocks(m.path("content"), at));
                case "user" -> append(turns, "user", userBlocks(m.path("content"), at));
                case "assistant" -> append(turns, "assistant", assistantBlocks(m, at));
                case "tool" -> append(turns, "user", Json.array().add(toolResult(m, at)));
                default -> throw Failures.badField(at + ".role", at + ".role '" + m.path("role").asText()
                        + "' is not supported by Anthropic deployments; use system, developer, user, assistant "
                        + "or tool.").exception();
            }
        }
        if (!system.isEmpty()) {
            out.set("system", system);
        }
        ArrayNode anthropicTurns = out.putArray("messages");
        for (Turn t : turns) {
            ArrayNode content = "user".equals(t.role()) ? toolResultsFirst(t.content()) : t.content();
            anthropicTurns.addObject().put("role", t.role()).set("content", content);
        }
    }

    private static void append(List<Turn> turns, String role, ArrayNode blocks) {
        if (blocks.isEmpty()) {
            return; // Anthropic refuses empty turns; an empty OpenAI message carries nothing anyway.
        }
        if (!turns.isEmpty() && turns.get(turns.size() - 1).role().equals(role)) {
            turns.get(turns.size() - 1).content().addAll(blocks);
        } else {
            turns.add(new Turn(role, blocks));
        }
    }

    /** Anthropic wants a user turn's tool results before any other content. */
    private static ArrayNode toolResultsFirst(ArrayNode content) {
        ArrayNode ordered = Json.array();
        content.forEach(b -> {
            if ("tool_result".equals(b.path("type").asText())) {
                ordered.add(b);
            }
        });
        content.forEach(b -> {
            if (!"tool_result".equals(b.path("type").asText())) {
                ordered.add(b);
            }
        });
        return ordered;
    }

    private static ArrayNode textBlocks(JsonNode content, String at) {
        ArrayNode blocks = Json.array();
        if (content.isTextual()) {
            addText(blocks, content.asText(), null);
        } else if (content.isArray()) {
            for (JsonNode part : content) {
                String type = part.path("type").asText();
                if (!type.equals("text") && !type.equals("refusal")) {
                    throw badContent(at + ".content", "may hold only text parts here, not '" + type + "'");
                }
                addText(blocks, part.path(type).asText(), part.get("cache_control"));
            }
        } else if (!content.isNull() && !content.isMissingNode()) {
            throw badContent(at, "must be a string or a list of text parts");
        }
        return blocks;
    }

    private static ArrayNode userBlocks(JsonNode content, String at) {
        if (!content.isArray()) {
            return textBlocks(content, at);
        }
        ArrayNode blocks = Json.array();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String partAt = at + ".content[" + j + "]";
            switch (part.path("type").asText()) {
                case "text" -> addText(blocks, part.path("text").asText(), part.get("cache_control"));
                case "image_url" -> blocks.add(ContentParts.image(part.path("image_url"), partAt));
                case "file" -> blocks.add(ContentParts.document(part.path("file"), partAt));
                default -> throw badContent(partAt, "has type '" + part.path("type").asText()
                        + "'; Anthropic deployments accept text, image_url and file (PDF) parts");
            }
        }
        return blocks;
    }

    private static ArrayNode assistantBlocks(JsonNode m, String at) {
        ArrayNode blocks = textBlocks(m.path("content"), at);
        JsonNode calls = m.path("tool_calls");
        for (int j = 0; j < calls.size(); j++) {
            JsonNode call = calls.get(j);
            ObjectNode input = Json.argumentsObject(call.path("function").path("arguments").asText(""));
            if (input == null) {
                throw Failures.badField(at + ".tool_calls[" + j + "].function.arguments", at + ".tool_calls[" + j
                        + "].function.arguments must be a JSON object in a string.").exception();
            }
            ObjectNode use = blocks.addObject().put("type", "tool_use").put("id", call.path("id").asText())
                    .put("name", call.path("function").path("name").asText());
            use.set("input", input);
        }
        return blocks;
    }

    private static ObjectNode toolResult(JsonNode m, String at) {
        if (!m.path("tool_call_id").isTextual()) {
            throw Failures.badField(at + ".tool_call_id", at + " has role tool but no tool_call_id naming the "
                    + "assistant's tool call it answers.").exception();
        }
        ObjectNode result = Json.object().put("type", "tool_result").put("tool_use_id", m.path("tool_call_id").asText());
        String text = Json.text(m.path("content"));
        if (!text.isEmpty()) {
            result.put("content", text);
        }
        return result;
    }

    private static void addText(ArrayNode blocks, String text, JsonNode cacheControl) {
        if (text.isEmpty()) {
            return; // Anthropic refuses empty text blocks
        }
        ObjectNode block = blocks.addObject().put("type", "text").put("text", text);
        if (cacheControl != null && cacheControl.isObject()) {
            block.set("cache_control", cacheControl);
        }
    }

    static GatewayException badContent(String at, String what) {
        return Failures.badField(at, at + " " + what + ".").exception();
    }
}
