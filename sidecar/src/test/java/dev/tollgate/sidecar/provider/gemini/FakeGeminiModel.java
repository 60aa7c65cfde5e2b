package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What a Gemini model does with a {@code GenerateContentRequest}, per Google's API reference:
 * validates the request the way the API does (roles user/model only and alternating, no empty
 * parts, one data field per part, function responses matching the preceding function calls,
 * Schema without JSON-Schema-only keywords, unknown fields refused) and answers with documented
 * {@code GenerateContentResponse} shapes. The last user text chooses a scenario:
 * {@code trigger-tools}, {@code trigger-safety}, {@code trigger-candidate-safety},
 * {@code trigger-length}; anything else gets "Hello from Gemini".
 */
final class FakeGeminiModel {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL = Set.of("contents", "systemInstruction", "tools", "toolConfig",
            "generationConfig", "safetySettings", "cachedContent");
    private static final Set<String> GENERATION = Set.of("temperature", "topP", "topK", "maxOutputTokens",
            "stopSequences", "candidateCount", "seed", "presencePenalty", "frequencyPenalty", "responseMimeType",
            "responseSchema");
    private static final Set<String> PART_DATA = Set.of("text", "inlineData", "fileData", "functionCall",
            "functionResponse");

    /** A request the API refuses: 400 INVALID_ARGUMENT with this message. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private FakeGeminiModel() {
    }

    static void validate(JsonNode request) throws Invalid {
        for (Iterator<String> it = request.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!TOP_LEVEL.contains(name)) {
                throw new Invalid("Invalid JSON payload received. Unknown name \"" + name + "\": Cannot find field.");
            }
        }
        for (Iterator<String> it = request.path("generationConfig").fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!GENERATION.contains(name)) {
                throw new Invalid("Invalid JSON payload received. Unknown name \"" + name
                        + "\" at 'generation_config': Cannot find field.");
            }
        }
        JsonNode contents = request.path("contents");
        if (contents.isEmpty()) {
            throw new Invalid("* GenerateContentRequest.contents: contents is not specified");
        }
        String previous = "";
        for (int i = 0; i < contents.size(); i++) {
            JsonNode content = contents.get(i);
            String role = content.path("role").asText();
            if (!role.equals("user") && !role.equals("model")) {
                throw new Invalid("Please use a valid role: user, model.");
            }
            if (role.equals(previous)) {
                throw new Invalid("Please ensure that multiturn requests alternate between user and model.");
            }
            previous = role;
            parts("contents[" + i + "]", content.path("parts"));
            int calls = count(content.path("parts"), "functionCall");
            if (calls > 0) {
                JsonNode next = i + 1 < contents.size() ? contents.get(i + 1) : null;
                if (next != null && count(next.path("parts"), "functionResponse") != calls) {
                    throw new Invalid("Please ensure that the number of function response parts is equal to the "
                            + "number of function call parts of the function call turn.");
                }
            }
        }
        parts("system_instruction", request.path("systemInstruction").path("parts"));
        for (JsonNode declaration : request.path("tools").path(0).path("functionDeclarations")) {
            schema("tools[0].function_declarations[0].parameters", declaration.path("parameters"));
        }
        schema("generation_config.response_schema", request.path("generationConfig").path("responseSchema"));
    }

    private static void parts(String where, JsonNode parts) throws Invalid {
        if (parts.isMissingNode()) {
            return;
        }
        if (parts.isEmpty()) {
            throw new Invalid("* GenerateContentRequest." + where + ".parts: contents.parts must not be empty.");
        }
        for (JsonNode part : parts) {
            int data = 0;
            for (String field : PART_DATA) {
                data += part.has(field) ? 1 : 0;
            }
            if (data != 1) {
                throw new Invalid("* GenerateContentRequest." + where + ".parts: oneof field 'data' must be set once");
            }
            if (part.has("text") && part.path("text").asText().isEmpty()) {
                throw new Invalid("Unable to submit request because it has an empty text parameter.");
            }
        }
    }

    private static void schema(String where, JsonNode schema) throws Invalid {
        if (schema.has("additionalProperties") || schema.has("$schema")) {
            throw new Invalid("Invalid JSON payload received. Unknown name \"additionalProperties\" at '" + where
                    + "': Cannot find field.");
        }
        if (schema.path("type").isArray()) {
            throw new Invalid("Invalid JSON payload received. Proto field is not repeating, cannot start list.");
        }
        for (JsonNode property : schema.path("properties")) {
            schema(where, property);
        }
        if (schema.has("items")) {
            schema(where, schema.path("items"));
        }
    }

    private static int count(JsonNode parts, String field) {
        int n = 0;
        for (JsonNode part : parts) {
            n += part.has(field) ? 1 : 0;
        }
        return n;
    }

    static String lastUserText(JsonNode request) {
        JsonNode contents = request.path("contents");
        for (int i = contents.size() - 1; i >= 0; i--) {
            if (contents.get(i).path("role").asText().equals("user")) {
                for (JsonNode part : contents.get(i).path("parts")) {
                    if (part.has("text")) {
                        return part.path("text").asText();
                    }
                }
            }
        }
        return "";
    }

    /** The answer as stream events; the non-streamed answer is their merge. */
    static List<ObjectNode> events(JsonNode request) {
        String said = lastUserText(request);
        List<ObjectNode> events = new ArrayList<>();
        if (said.contains("trigger-safety")) {
            ObjectNode blocked = JSON.createObjectNode();
            blocked.putObject("promptFeedback").put("blockReason", "SAFETY").putArray("safetyRatings").addObject()
                    .put("category", "HARM_CATEGORY_DANGEROUS_CONTENT").put("probability", "HIGH");
            blocked.set("usageMetadata", usage(7, 0));
            events.add(blocked);
            return events;
        }
        if (said.contains("trigger-candidate-safety")) {
            ObjectNode event = response(List.of(), "SAFETY");
            event.set("usageMetadata", usage(7, 0));
            events.add(event);
            return events;
        }
        if (said.contains("trigger-tools")) {
            ObjectNode first = JSON.createObjectNode();
            first.putObject("functionCall").put("name", "get_weather").putObject("args").put("city", "Paris");
            first.put("thoughtSignature", "c2lnbmF0dXJlLTE=");
            ObjectNode second = JSON.createObjectNode();
            second.putObject("functionCall").put("name", "get_time").putObject("args").put("zone", "CET");
            ObjectNode event = response(List.of(first, second), "STOP");
            event.set("usageMetadata", usage(20, 9));
            events.add(event);
            return events;
        }
        boolean length = said.contains("trigger-length");
        List<String> pieces = length ? List.of("Hello", " from") : List.of("Hello", " from", " Gemini");
        for (int i = 0; i < pieces.size(); i++) {
            boolean last = i == pieces.size() - 1;
            ObjectNode text = JSON.createObjectNode().put("text", pieces.get(i));
            ObjectNode event = response(List.of(text), last ? (length ? "MAX_TOKENS" : "STOP") : null);
            event.set("usageMetadata", last ? usage(12, 4) : usage(12, 0));
            events.add(event);
        }
        return events;
    }

    /** The streamed events merged into one answer, as generateContent returns it. */
    static ObjectNode merged(List<ObjectNode> events) {
        ObjectNode last = events.get(events.size() - 1).deepCopy();
        if (last.has("candidates")) {
            ArrayNode parts = JSON.createArrayNode();
            StringBuilder text = new StringBuilder();
            for (ObjectNode event : events) {
                for (JsonNode part : event.path("candidates").path(0).path("content").path("parts")) {
                    if (part.has("text")) {
                        text.append(part.path("text").asText());
                    } else {
                        parts.add(part);
                    }
                }
            }
            if (!text.isEmpty()) {
                parts.insertObject(0).put("text", text.toString());
            }
            if (last.path("candidates").path(0).path("content") instanceof ObjectNode content) {
                content.set("parts", parts);
            }
        }
        return last;
    }

    private static ObjectNode response(List<ObjectNode> parts, String finishReason) {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode candidate = event.putArray("candidates").addObject();
        if (!parts.isEmpty()) {
            ObjectNode content = candidate.putObject("content").put("role", "model");
            parts.forEach(content.putArray("parts")::add);
        }
        if (finishReason != null) {
            candidate.put("finishReason", finishReason);
        }
        candidate.put("index", 0);
        event.put("modelVersion", "gemini-2.0-flash-001");
        event.put("responseId", "resp-abc123");
        return event;
    }

    private static ObjectNode usage(int prompt, int candidates) {
        ObjectNode usage = JSON.createObjectNode().put("promptTokenCount", prompt);
        if (candidates > 0) {
            usage.put("candidatesTokenCount", candidates);
        }
        usage.put("totalTokenCount", prompt + candidates);
        if (prompt == 12) {
            usage.put("cachedContentTokenCount", 5);
        }
        return usage;
    }
}
