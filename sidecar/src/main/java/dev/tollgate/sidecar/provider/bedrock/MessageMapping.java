package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import java.io.IOException;
import java.util.Locale;

/**
 * OpenAI messages to Converse {@code system} and {@code messages}: system and developer messages become system text
 * blocks; user parts become text and image blocks; assistant tool calls become {@code toolUse}; tool messages become
 * {@code toolResult} blocks of a user turn; consecutive turns of one role merge, because Converse requires user and
 * assistant to alternate.
 */
final class MessageMapping {

    /** The mapped conversation; {@code usesTools} says whether any toolUse/toolResult block was produced. */
    record Conversation(ArrayNode system, ArrayNode messages, boolean usesTools) {
    }

    private MessageMapping() {
    }

    static Conversation map(JsonNode messages) {
        ArrayNode system = BedrockAdapter.JSON.createArrayNode();
        ArrayNode out = BedrockAdapter.JSON.createArrayNode();
        boolean usesTools = false;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText();
            switch (role) {
                case "system", "developer" -> texts(m.path("content"), "messages[" + i + "].content")
                        .forEach(system::add);
                case "user" -> append(out, "user", userBlocks(m.path("content"), "messages[" + i + "].content"));
                case "assistant" -> {
                    ArrayNode blocks = texts(m.path("content"), "messages[" + i + "].content");
                    ArrayNode calls = toolUses(m.path("tool_calls"), "messages[" + i + "].tool_calls");
                    usesTools |= !calls.isEmpty();
                    blocks.addAll(calls);
                    append(out, "assistant", blocks);
                }
                case "tool" -> {
                    usesTools = true;
                    append(out, "user", BedrockAdapter.JSON.createArrayNode().add(toolResult(m, i)));
                }
                default -> throw Failures.badField("messages[" + i + "].role", "messages[" + i + "].role '" + role
                        + "' is not supported by bedrock; use system, developer, user, assistant or tool.").exception();
            }
        }
        return new Conversation(system, out, usesTools);
    }

    private static void append(ArrayNode out, String role, ArrayNode blocks) {
        if (blocks.isEmpty()) {
            return;
        }
        JsonNode last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last != null && role.equals(last.path("role").asText())) {
            ((ArrayNode) last.path("content")).addAll(blocks);
            return;
        }
        ObjectNode message = out.addObject().put("role", role);
        message.set("content", blocks);
    }

    /** Text blocks of a string or of the text parts of a list; blank text is left out (Converse rejects it). */
    private static ArrayNode texts(JsonNode content, String where) {
        ArrayNode blocks = BedrockAdapter.JSON.createArrayNode();
        if (content.isTextual()) {
            addText(blocks, content.asText());
        } else if (content.isArray()) {
            for (int j = 0; j < content.size(); j++) {
                JsonNode part = content.get(j);
                if (part.isTextual()) {
                    addText(blocks, part.asText());
                } else if ("text".equals(part.path("type").asText())) {
                    addText(blocks, part.path("text").asText());
                } else {
                    throw Failures.badField(where + "[" + j + "]", where + "[" + j + "] of type '"
                            + part.path("type").asText() + "' is not allowed here; only text parts.").exception();
                }
            }
        }
        return blocks;
    }

    private static ArrayNode userBlocks(JsonNode content, String where) {
        if (!content.isArray()) {
            return texts(content, where);
        }
        ArrayNode blocks = BedrockAdapter.JSON.createArrayNode();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String type = part.path("type").asText();
            switch (type) {
                case "text" -> addText(blocks, part.path("text").asText());
                case "image_url" -> blocks.add(image(part.path("image_url"), where + "[" + j + "].image_url"));
                default -> throw Failures.badField(where + "[" + j + "]", where + "[" + j + "] of type '" + type
                        + "' is not supported by bedrock; send text and image_url parts.").exception();
            }
        }
        return blocks;
    }

    private static void addText(ArrayNode blocks, String text) {
        if (!text.isBlank()) {
            blocks.addObject().put("text", text);
        }
    }

    /** {@code data:image/png;base64,...} to an image block; Converse takes image bytes, not URLs. */
    static ObjectNode image(JsonNode imageUrl, String where) {
        String url = imageUrl.isTextual() ? imageUrl.asText() : imageUrl.path("url").asText();
        int comma = url.indexOf(',');
        String meta = comma > 0 ? url.substring(0, comma).toLowerCase(Locale.ROOT) : "";
        if (!meta.startsWith("data:image/") || !meta.endsWith(";base64")) {
            throw Failures.badField(where, where + ": bedrock takes images inline; send a base64 data URL "
                    + "(data:image/png;base64,...), not a link.").exception();
        }
        String format = meta.substring("data:image/".length(), meta.length() - ";base64".length());
        format = format.equals("jpg") ? "jpeg" : format;
        if (!format.equals("png") && !format.equals("jpeg") && !format.equals("gif") && !format.equals("webp")) {
            throw Failures.badField(where, where + ": image/" + format
                    + " is not supported by bedrock; use png, jpeg, gif or webp.").exception();
        }
        ObjectNode block = BedrockAdapter.JSON.createObjectNode();
        ObjectNode image = block.putObject("image").put("format", format);
        image.putObject("source").put("bytes", url.substring(comma + 1).strip());
        return block;
    }

    private static ArrayNode toolUses(JsonNode toolCalls, String where) {
        ArrayNode blocks = BedrockAdapter.JSON.createArrayNode();
        for (int j = 0; j < toolCalls.size(); j++) {
            JsonNode call = toolCalls.get(j);
            JsonNode function = call.path("function");
            ObjectNode toolUse = blocks.addObject().putObject("toolUse")
                    .put("toolUseId", call.path("id").asText())
                    .put("name", function.path("name").asText());
            toolUse.set("input", arguments(function.path("arguments"), where + "[" + j + "].function.arguments"));
        }
        return blocks;
    }

    private static JsonNode arguments(JsonNode arguments, String where) {
        if (arguments.isObject()) {
            return arguments;
        }
        String text = arguments.asText("").strip();
        if (text.isEmpty()) {
            return BedrockAdapter.JSON.createObjectNode();
        }
        try {
            JsonNode parsed = BedrockAdapter.JSON.readTree(text);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (IOException e) {
            // reported below
        }
        throw Failures.badField(where, where + " must be a JSON object encoded as a string.").exception();
    }

    /** A tool message's content as text, or as a json block when it is a JSON object. */
    private static ObjectNode toolResult(JsonNode m, int i) {
        ObjectNode block = BedrockAdapter.JSON.createObjectNode();
        ObjectNode result = block.putObject("toolResult").put("toolUseId", m.path("tool_call_id").asText());
        ArrayNode content = result.putArray("content");
        JsonNode given = m.path("content");
        String text = given.isTextual() ? given.asText() : joined(texts(given, "messages[" + i + "].content"));
        JsonNode json = objectOrNull(text);
        if (json != null) {
            content.addObject().set("json", json);
        } else {
            content.addObject().put("text", text.isEmpty() ? "(empty)" : text);
        }
        return block;
    }

    private static String joined(ArrayNode textBlocks) {
        StringBuilder out = new StringBuilder();
        textBlocks.forEach(b -> out.append(b.path("text").asText()));
        return out.toString();
    }

    private static JsonNode objectOrNull(String text) {
        String t = text.strip();
        if (!t.startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = BedrockAdapter.JSON.readTree(t);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
