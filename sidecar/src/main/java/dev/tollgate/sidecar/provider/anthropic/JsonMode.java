package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * OpenAI {@code response_format} ({@code json_object}, {@code json_schema}) on Anthropic: one tool whose
 * input schema is the wanted schema, forced with {@code tool_choice}; the tool's input is then the answer
 * (returned as {@code message.content}, finish reason {@code stop}). Works on every Claude model without
 * a beta header.
 */
final class JsonMode {

    static final String DEFAULT_TOOL = "json_response";
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private JsonMode() {
    }

    static boolean requested(ObjectNode in) {
        String type = in.path("response_format").path("type").asText("");
        return type.equals("json_object") || type.equals("json_schema");
    }

    /** Adds the forced tool when JSON output was asked for; returns its name. */
    static Optional<String> apply(ObjectNode in, ObjectNode out) {
        if (!requested(in)) {
            if (in.has("response_format")) {
                throw dev.tollgate.sidecar.failure.Failures.badField("response_format",
                        "response_format.type must be text, json_object or json_schema.").exception();
            }
            return Optional.empty();
        }
        JsonNode format = in.path("response_format");
        JsonNode spec = format.path("json_schema");
        String name = spec.path("name").asText(DEFAULT_TOOL);
        if (!TOOL_NAME.matcher(name).matches()) {
            name = DEFAULT_TOOL;
        }
        ObjectNode tool = out.putArray("tools").addObject().put("name", name);
        tool.put("description", spec.path("description").asText("Respond with a JSON object"
                + (spec.has("schema") ? " matching this schema." : ".")));
        if (spec.path("schema").isObject()) {
            tool.set("input_schema", spec.path("schema"));
        } else {
            tool.putObject("input_schema").put("type", "object");
        }
        out.putObject("tool_choice").put("type", "tool").put("name", name);
        return Optional.of(name);
    }
}
