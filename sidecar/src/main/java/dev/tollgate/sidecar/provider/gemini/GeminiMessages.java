package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI {@code messages} to Gemini {@code contents} and {@code systemInstruction}. Roles: user and
 * tool become {@code user}, assistant becomes {@code model}, system and developer go to
 * {@code systemInstruction}. Consecutive turns of one role are merged into one content, because
 * Gemini wants turns to alternate and wants every function response to a model turn in the one
 * user turn that follows it. Stateless.
 */
final class GeminiMessages {

    /** The translated conversation; {@code systemInstruction} is null when there was no system text. */
    record Translated(ArrayNode contents, ObjectNode systemInstruction) {
    }

    private GeminiMessages() {
    }

    static Translated translate(JsonNode messages) {
        Map<String, String> toolNames = toolNamesById(messages);
        ArrayNode contents = GoogleTransport.JSON.createArrayNode();
        ArrayNode systemParts = GoogleTransport.JSON.createArrayNode();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            switch (m.path("role").asText()) {
                case "system", "developer" -> GeminiParts.content(where, m.path("content"), systemParts, true);
                case "user" -> append(contents, "user", GeminiParts.content(where, m.path("content"),
                        GoogleTransport.JSON.createArrayNode(), false));
                case "assistant" -> append(contents, "model", assistantParts(where, m));
                case "tool" -> append(contents, "user", functionResponse(where, m, toolNames));
                default -> throw Failures.badField(where + ".role", where + ".role '" + m.path("role").asText()
                        + "' is not one of system, developer, user, assistant, tool.").exception();
            }
        }
        ObjectNode system = null;
        if (!systemParts.isEmpty()) {
            system = GoogleTransport.JSON.createObjectNode();
            system.set("parts", systemParts);
        }
        return new Translated(contents, system);
    }

    /** Appends {@code parts} as a turn of {@code role}, merging into the previous turn if it has that role. */
    private static void append(ArrayNode contents, String role, ArrayNode parts) {
        if (parts.isEmpty()) {
            return;
        }
        JsonNode last = contents.isEmpty() ? null : contents.get(contents.size() - 1);
        if (last != null && role.equals(last.path("role").asText())) {
            ((ArrayNode) last.path("parts")).addAll(parts);
            return;
        }
        ObjectNode turn = contents.addObject().put("role", role);
        turn.set("parts", parts);
    }

    private static ArrayNode assistantParts(String where, JsonNode m) {
        ArrayNode parts = GeminiParts.content(where, m.path("content"), GoogleTransport.JSON.createArrayNode(), true);
        JsonNode calls = m.path("tool_calls");
        for (int j = 0; j < calls.size(); j++) {
            JsonNode call = calls.get(j);
            String at = where + ".tool_calls[" + j + "]";
            ObjectNode part = parts.addObject();
            ObjectNode functionCall = part.putObject("functionCall")
                    .put("name", call.path("function").path("name").asText());
            functionCall.set("args", arguments(at + ".function.arguments", call.path("function").path("arguments")));
            ToolCallIds.signature(call.path("id").asText()).ifPresent(s -> part.put("thoughtSignature", s));
        }
        return parts;
    }

    private static ArrayNode functionResponse(String where, JsonNode m, Map<String, String> toolNames) {
        String id = m.path("tool_call_id").asText();
        String name = toolNames.get(id);
        if (name == null) {
            throw Failures.badField(where + ".tool_call_id", where + ".tool_call_id '" + id + "' matches no tool call "
                    + "of an earlier assistant message; Gemini needs the function's name to return its result.")
                    .exception();
        }
        String text = GeminiParts.text(m.path("content"));
        ArrayNode parts = GoogleTransport.JSON.createArrayNode();
        ObjectNode response = parts.addObject().putObject("functionResponse").put("name", name);
        response.set("response", resultObject(text));
        return parts;
    }

    /** Gemini's function response is a JSON object: a tool result that is one is sent as is. */
    private static JsonNode resultObject(String text) {
        try {
            JsonNode parsed = GoogleTransport.JSON.readTree(text);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (IOException notJson) {
            // plain text result
        }
        return GoogleTransport.JSON.createObjectNode().put("content", text);
    }

    private static JsonNode arguments(String where, JsonNode arguments) {
        if (arguments.isObject()) {
            return arguments;
        }
        String text = arguments.asText("");
        if (text.isBlank()) {
            return GoogleTransport.JSON.createObjectNode();
        }
        try {
            JsonNode parsed = GoogleTransport.JSON.readTree(text);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (IOException notJson) {
            // refused below
        }
        throw new GatewayError(400, "invalid_request_error", "invalid_request", where
                + " must be a JSON object encoded as a string.", where, java.util.Optional.empty()).exception();
    }

    private static Map<String, String> toolNamesById(JsonNode messages) {
        Map<String, String> names = new HashMap<>();
        for (JsonNode m : messages) {
            for (JsonNode call : m.path("tool_calls")) {
                names.put(call.path("id").asText(), call.path("function").path("name").asText());
            }
        }
        return names;
    }
}
