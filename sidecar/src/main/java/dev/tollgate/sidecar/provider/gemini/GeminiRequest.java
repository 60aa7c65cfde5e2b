package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * An OpenAI chat request as a Gemini {@code GenerateContentRequest}: contents and system
 * instruction (see {@link GeminiMessages}), tools, tool config and generation config. Fields
 * Gemini cannot honour are refused (or dropped with {@code drop_params}). Stateless.
 */
final class GeminiRequest {

    private static final System.Logger LOG = System.getLogger(GeminiRequest.class.getName());

    static final Set<String> SUPPORTED = Set.of("model", "messages", "stream", "stream_options", "temperature",
            "top_p", "max_tokens", "max_completion_tokens", "stop", "n", "seed", "response_format", "tools",
            "tool_choice", "presence_penalty", "frequency_penalty", "user", "safety_settings", "cached_content");

    /** OpenAI generation fields with a same-typed Gemini counterpart. */
    private static final Map<String, String> GENERATION = Map.of("temperature", "temperature", "top_p", "topP",
            "n", "candidateCount", "seed", "seed", "presence_penalty", "presencePenalty",
            "frequency_penalty", "frequencyPenalty");

    /** JSON Schema keywords Gemini's OpenAPI-subset Schema refuses ("Unknown name ..."). */
    private static final Set<String> SCHEMA_UNSUPPORTED = Set.of("additionalProperties", "$schema", "strict", "$id");

    private GeminiRequest() {
    }

    static ObjectNode build(ProviderCall call) {
        ObjectNode body = call.body();
        UnsupportedParams.enforce(call, body, SUPPORTED);
        if (body.has("user")) {
            LOG.log(System.Logger.Level.DEBUG, () -> "request " + call.requestId() + ": 'user' has no Gemini "
                    + "counterpart and is not sent");
        }
        ObjectNode out = GoogleTransport.JSON.createObjectNode();
        GeminiMessages.Translated conversation = GeminiMessages.translate(body.path("messages"));
        out.set("contents", conversation.contents());
        if (conversation.systemInstruction() != null) {
            out.set("systemInstruction", conversation.systemInstruction());
        }
        if (body.path("tools").isArray() && !body.path("tools").isEmpty()) {
            out.putArray("tools").addObject().set("functionDeclarations", functionDeclarations(body.path("tools")));
        }
        if (body.hasNonNull("tool_choice")) {
            out.putObject("toolConfig").set("functionCallingConfig", functionCallingConfig(body.path("tool_choice")));
        }
        ObjectNode generation = generationConfig(body);
        if (!generation.isEmpty()) {
            out.set("generationConfig", generation);
        }
        if (body.hasNonNull("safety_settings")) {
            out.set("safetySettings", body.get("safety_settings"));
        }
        if (body.hasNonNull("cached_content")) {
            out.put("cachedContent", body.get("cached_content").asText());
        }
        return out;
    }

    static ArrayNode functionDeclarations(JsonNode tools) {
        ArrayNode declarations = GoogleTransport.JSON.createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            if (!"function".equals(tool.path("type").asText())) {
                throw Failures.badField("tools[" + i + "].type", "tools[" + i + "].type '" + tool.path("type").asText()
                        + "' is not supported for Gemini; only function tools are.").exception();
            }
            JsonNode function = tool.path("function");
            ObjectNode declaration = declarations.addObject().put("name", function.path("name").asText());
            if (function.hasNonNull("description")) {
                declaration.put("description", function.path("description").asText());
            }
            JsonNode parameters = function.path("parameters");
            // Gemini refuses an OBJECT schema with no properties: a function without arguments has none.
            if (parameters.isObject() && !parameters.path("properties").isEmpty()) {
                declaration.set("parameters", schema(parameters));
            }
        }
        return declarations;
    }

    static ObjectNode functionCallingConfig(JsonNode choice) {
        ObjectNode config = GoogleTransport.JSON.createObjectNode();
        if (choice.isTextual()) {
            switch (choice.asText()) {
                case "auto" -> config.put("mode", "AUTO");
                case "none" -> config.put("mode", "NONE");
                case "required" -> config.put("mode", "ANY");
                default -> throw Failures.badField("tool_choice", "tool_choice '" + choice.asText()
                        + "' is not one of auto, none, required, or a {type: function} object.").exception();
            }
            return config;
        }
        String name = choice.path("function").path("name").asText();
        if (!"function".equals(choice.path("type").asText()) || name.isEmpty()) {
            throw Failures.badField("tool_choice", "tool_choice must be auto, none, required, or "
                    + "{\"type\": \"function\", \"function\": {\"name\": ...}}.").exception();
        }
        config.put("mode", "ANY").putArray("allowedFunctionNames").add(name);
        return config;
    }

    static ObjectNode generationConfig(ObjectNode body) {
        ObjectNode config = GoogleTransport.JSON.createObjectNode();
        GENERATION.forEach((openAi, gemini) -> {
            if (body.hasNonNull(openAi)) {
                config.set(gemini, body.get(openAi));
            }
        });
        JsonNode maxTokens = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens")
                : body.get("max_tokens");
        if (maxTokens != null && !maxTokens.isNull()) {
            config.set("maxOutputTokens", maxTokens);
        }
        JsonNode stop = body.get("stop");
        if (stop != null && stop.isTextual()) {
            config.putArray("stopSequences").add(stop.asText());
        } else if (stop != null && stop.isArray()) {
            config.set("stopSequences", stop);
        }
        responseFormat(body.path("response_format"), config);
        return config;
    }

    private static void responseFormat(JsonNode format, ObjectNode config) {
        switch (format.path("type").asText("")) {
            case "", "text" -> { }
            case "json_object" -> config.put("responseMimeType", "application/json");
            case "json_schema" -> {
                config.put("responseMimeType", "application/json");
                JsonNode schema = format.path("json_schema").path("schema");
                if (schema.isObject()) {
                    config.set("responseSchema", schema(schema));
                }
            }
            default -> throw Failures.badField("response_format", "response_format.type '"
                    + format.path("type").asText() + "' is not one of text, json_object, json_schema.").exception();
        }
    }

    /**
     * A JSON Schema as Gemini's Schema: keywords it refuses are removed, and a nullable type list
     * such as {@code ["string", "null"]} becomes {@code "string"} with {@code nullable: true}.
     */
    static ObjectNode schema(JsonNode schema) {
        ObjectNode out = GoogleTransport.JSON.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = schema.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (SCHEMA_UNSUPPORTED.contains(key)) {
                continue;
            }
            if (key.equals("type") && value.isArray()) {
                for (JsonNode type : value) {
                    if (type.asText().equals("null")) {
                        out.put("nullable", true);
                    } else {
                        out.put("type", type.asText());
                    }
                }
            } else if (key.equals("properties") && value.isObject()) {
                ObjectNode properties = out.putObject("properties");
                value.fields().forEachRemaining(p -> properties.set(p.getKey(),
                        p.getValue().isObject() ? schema(p.getValue()) : p.getValue()));
            } else if ((key.equals("items") || key.equals("not")) && value.isObject()) {
                out.set(key, schema(value));
            } else if ((key.equals("anyOf") || key.equals("oneOf") || key.equals("allOf")) && value.isArray()) {
                ArrayNode list = out.putArray(key);
                value.forEach(item -> list.add(item.isObject() ? schema(item) : item));
            } else {
                out.set(key, value);
            }
        }
        return out;
    }
}
