package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;

/**
 * Tools both ways: OpenAI function tools against Anthropic custom tools ({@code parameters} is
 * {@code input_schema}), and {@code tool_choice} auto / none / required / a named function against
 * auto / none / any / tool, with {@code parallel_tool_calls: false} as {@code disable_parallel_tool_use}.
 */
final class ToolMapping {

    private ToolMapping() {
    }

    /** Sets Anthropic {@code tools} and {@code tool_choice} from an OpenAI request. */
    static void toAnthropic(ObjectNode in, ObjectNode out) {
        JsonNode tools = in.path("tools");
        if (tools.isEmpty()) {
            return; // a tool_choice without tools chooses nothing
        }
        ArrayNode anthropicTools = out.putArray("tools");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            JsonNode fn = tool.path("function");
            if (!"function".equals(tool.path("type").asText()) || !fn.path("name").isTextual()) {
                throw Failures.badField("tools[" + i + "]", "tools[" + i + "] must be {type: function, function: "
                        + "{name, description, parameters}}; Anthropic deployments take function tools only.")
                        .exception();
            }
            ObjectNode t = anthropicTools.addObject().put("name", fn.path("name").asText());
            if (fn.path("description").isTextual()) {
                t.put("description", fn.path("description").asText());
            }
            if (fn.path("parameters").isObject()) {
                t.set("input_schema", fn.path("parameters"));
            } else {
                t.putObject("input_schema").put("type", "object").putObject("properties");
            }
            if (tool.path("cache_control").isObject()) {
                t.set("cache_control", tool.path("cache_control"));
            }
        }
        ObjectNode choice = choiceToAnthropic(in.get("tool_choice"));
        if (in.path("parallel_tool_calls").isBoolean() && !in.path("parallel_tool_calls").asBoolean()) {
            if (choice == null) {
                choice = Json.object().put("type", "auto");
            }
            if (!"none".equals(choice.path("type").asText())) {
                choice.put("disable_parallel_tool_use", true);
            }
        }
        if (choice != null) {
            out.set("tool_choice", choice);
        }
    }

    private static ObjectNode choiceToAnthropic(JsonNode choice) {
        if (choice == null) {
            return null;
        }
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "auto" -> Json.object().put("type", "auto");
                case "none" -> Json.object().put("type", "none");
                case "required" -> Json.object().put("type", "any");
                default -> throw badChoice();
            };
        }
        if ("function".equals(choice.path("type").asText()) && choice.path("function").path("name").isTextual()) {
            return Json.object().put("type", "tool").put("name", choice.path("function").path("name").asText());
        }
        throw badChoice();
    }

    /** Sets OpenAI {@code tools}, {@code tool_choice} and {@code parallel_tool_calls} from an Anthropic request. */
    static void toOpenAi(ObjectNode in, ObjectNode out) {
        JsonNode tools = in.path("tools");
        if (!tools.isArray() && !tools.isMissingNode() && !tools.isNull()) {
            // Not a list: indexing it would find no elements (an object) and fail as a bug, not as a 400.
            throw Failures.badField("tools", "tools must be a list of custom tools ({name, description, "
                    + "input_schema}).").exception();
        }
        if (!tools.isEmpty()) {
            ArrayNode openAiTools = out.putArray("tools");
            for (int i = 0; i < tools.size(); i++) {
                JsonNode tool = tools.get(i);
                String type = tool.path("type").asText("custom");
                if (!"custom".equals(type) || !tool.path("name").isTextual()) {
                    throw Failures.badField("tools[" + i + "]", "tools[" + i + "] has type '" + type + "'; the "
                            + "gateway's /v1/messages serves custom tools ({name, description, input_schema}) only.")
                            .exception();
                }
                ObjectNode fn = openAiTools.addObject().put("type", "function").putObject("function")
                        .put("name", tool.path("name").asText());
                if (tool.path("description").isTextual()) {
                    fn.put("description", tool.path("description").asText());
                }
                fn.set("parameters", tool.path("input_schema").isObject() ? tool.path("input_schema")
                        : Json.object().put("type", "object"));
            }
        }
        JsonNode choice = in.path("tool_choice");
        if (!choice.isObject()) {
            return;
        }
        switch (choice.path("type").asText()) {
            case "auto" -> out.put("tool_choice", "auto");
            case "any" -> out.put("tool_choice", "required");
            case "none" -> out.put("tool_choice", "none");
            case "tool" -> out.putObject("tool_choice").put("type", "function").putObject("function")
                    .put("name", choice.path("name").asText());
            default -> throw Failures.badField("tool_choice", "tool_choice.type must be auto, any, tool or none.")
                    .exception();
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false) && !tools.isEmpty()) {
            out.put("parallel_tool_calls", false);
        }
    }

    private static RuntimeException badChoice() {
        return Failures.badField("tool_choice", "tool_choice must be auto, none, required or "
                + "{type: function, function: {name}}.").exception();
    }
}
