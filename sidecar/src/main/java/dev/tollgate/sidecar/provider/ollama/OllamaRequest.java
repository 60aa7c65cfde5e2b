package dev.tollgate.sidecar.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI chat request as an Ollama {@code /api/chat} request: messages (images from
 * {@code data:} URLs to base64 {@code images}, tool calls with object arguments, tool results with
 * {@code tool_name}), sampling fields to {@code options}, {@code response_format} to
 * {@code format}, tools unchanged (Ollama takes the OpenAI function shape). Stateless.
 */
final class OllamaRequest {

    private static final System.Logger LOG = System.getLogger(OllamaRequest.class.getName());

    static final ObjectMapper JSON = Json.mapper();
    static final Set<String> SUPPORTED = Set.of("model", "messages", "stream", "stream_options", "temperature",
            "top_p", "max_tokens", "max_completion_tokens", "stop", "seed", "response_format", "tools", "tool_choice",
            "presence_penalty", "frequency_penalty", "user", "n", "keep_alive", "options");
    private static final Map<String, String> OPTIONS = Map.of("temperature", "temperature", "top_p", "top_p",
            "seed", "seed", "presence_penalty", "presence_penalty", "frequency_penalty", "frequency_penalty");
    private static final Pattern DATA_URL = Pattern.compile("^data:[^,]*;base64,(.*)$", Pattern.DOTALL);

    private OllamaRequest() {
    }

    static ObjectNode build(ProviderCall call, boolean stream) {
        ObjectNode body = call.body();
        UnsupportedParams.enforce(call, body, SUPPORTED);
        refuseUnhonourable(call, body);
        if (body.has("user")) {
            LOG.log(System.Logger.Level.DEBUG, () -> "request " + call.requestId() + ": 'user' has no Ollama "
                    + "counterpart and is not sent");
        }
        ObjectNode out = JSON.createObjectNode().put("model", call.deployment().getModel()).put("stream", stream);
        out.set("messages", messages(body.path("messages")));
        boolean toolsOff = "none".equals(body.path("tool_choice").asText());
        if (body.path("tools").isArray() && !body.path("tools").isEmpty() && !toolsOff) {
            out.set("tools", body.get("tools"));
        }
        ObjectNode options = options(body);
        if (!options.isEmpty()) {
            out.set("options", options);
        }
        JsonNode format = body.path("response_format");
        switch (format.path("type").asText("")) {
            case "json_object" -> out.put("format", "json");
            case "json_schema" -> out.set("format", format.path("json_schema").path("schema"));
            default -> { }
        }
        if (body.hasNonNull("keep_alive")) {
            out.set("keep_alive", body.get("keep_alive"));
        }
        return out;
    }

    /** Values Ollama cannot honour: several choices, or forcing a tool call. */
    private static void refuseUnhonourable(ProviderCall call, ObjectNode body) {
        ObjectNode unsupported = JSON.createObjectNode();
        if (body.hasNonNull("n") && body.get("n").asInt() != 1) {
            unsupported.set("n", body.get("n"));
        }
        JsonNode choice = body.path("tool_choice");
        boolean forcedTool = !choice.isMissingNode() && !choice.isNull() && !"auto".equals(choice.asText())
                && !"none".equals(choice.asText());
        if (forcedTool) {
            unsupported.set("tool_choice", choice);
        }
        if (!unsupported.isEmpty()) {
            // The shared rule, applied to just these values: 400, or dropped with drop_params.
            UnsupportedParams.enforce(call, unsupported, Set.of());
            if (forcedTool) {
                body.remove("tool_choice");
            }
        }
    }

    static ObjectNode options(ObjectNode body) {
        ObjectNode options = body.path("options").isObject() ? ((ObjectNode) body.get("options")).deepCopy()
                : JSON.createObjectNode();
        OPTIONS.forEach((openAi, ollama) -> {
            if (body.hasNonNull(openAi)) {
                options.set(ollama, body.get(openAi));
            }
        });
        JsonNode maxTokens = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens")
                : body.get("max_tokens");
        if (maxTokens != null && !maxTokens.isNull()) {
            options.set("num_predict", maxTokens);
        }
        JsonNode stop = body.get("stop");
        if (stop != null && stop.isTextual()) {
            options.putArray("stop").add(stop.asText());
        } else if (stop != null && stop.isArray()) {
            options.set("stop", stop);
        }
        return options;
    }

    static ArrayNode messages(JsonNode messages) {
        Map<String, String> toolNames = new HashMap<>();
        ArrayNode out = JSON.createArrayNode();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            String role = m.path("role").asText();
            ObjectNode message = out.addObject();
            switch (role) {
                case "system", "developer" -> message.put("role", "system").put("content", text(m.path("content")));
                case "user" -> user(where, m.path("content"), message);
                case "assistant" -> {
                    message.put("role", "assistant").put("content", text(m.path("content")));
                    toolCalls(where, m.path("tool_calls"), message, toolNames);
                }
                case "tool" -> {
                    message.put("role", "tool").put("content", text(m.path("content")));
                    String name = toolNames.get(m.path("tool_call_id").asText());
                    if (name != null) {
                        message.put("tool_name", name);
                    }
                }
                default -> throw Failures.badField(where + ".role", where + ".role '" + role
                        + "' is not one of system, developer, user, assistant, tool.").exception();
            }
        }
        return out;
    }

    private static void user(String where, JsonNode content, ObjectNode message) {
        message.put("role", "user").put("content", text(content));
        if (!content.isArray()) {
            return;
        }
        ArrayNode images = JSON.createArrayNode();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String type = part.path("type").asText();
            if (type.equals("image_url")) {
                JsonNode image = part.path("image_url");
                String url = image.isTextual() ? image.asText() : image.path("url").asText();
                Matcher m = DATA_URL.matcher(url);
                if (!m.matches()) {
                    throw Failures.badField(where + ".content[" + j + "].image_url", "Ollama takes images only as "
                            + "base64 data: URLs (data:image/png;base64,...); " + where + ".content[" + j
                            + "] is a link the sidecar does not fetch.").exception();
                }
                images.add(m.group(1));
            } else if (!type.equals("text")) {
                throw Failures.badField(where + ".content[" + j + "].type", where + ".content[" + j + "].type '" + type
                        + "' is not supported for Ollama (use text or image_url).").exception();
            }
        }
        if (!images.isEmpty()) {
            message.set("images", images);
        }
    }

    private static void toolCalls(String where, JsonNode calls, ObjectNode message, Map<String, String> toolNames) {
        if (calls.isEmpty()) {
            return;
        }
        ArrayNode out = message.putArray("tool_calls");
        for (int j = 0; j < calls.size(); j++) {
            JsonNode function = calls.get(j).path("function");
            toolNames.put(calls.get(j).path("id").asText(), function.path("name").asText());
            ObjectNode call = out.addObject().putObject("function").put("name", function.path("name").asText());
            call.set("arguments", arguments(where + ".tool_calls[" + j + "].function.arguments",
                    function.path("arguments")));
        }
    }

    /** Ollama wants arguments as an object where OpenAI sends a JSON string. */
    private static JsonNode arguments(String where, JsonNode arguments) {
        if (arguments.isObject()) {
            return arguments;
        }
        try {
            JsonNode parsed = JSON.readTree(arguments.asText("{}").isBlank() ? "{}" : arguments.asText());
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (IOException notJson) {
            // refused below
        }
        throw new GatewayError(400, "invalid_request_error", "invalid_request", where
                + " must be a JSON object encoded as a string.", where, Optional.empty()).exception();
    }

    static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText())) {
                out.append(part.path("text").asText());
            }
        }
        return out.toString();
    }
}
