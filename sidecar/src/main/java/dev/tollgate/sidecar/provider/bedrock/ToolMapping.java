package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import java.util.Set;

/**
 * OpenAI {@code tools} and {@code tool_choice} to a Converse {@code toolConfig}: each function becomes a
 * {@code toolSpec} with its JSON schema; {@code auto}, {@code required} and a named function become {@code auto},
 * {@code any} and {@code tool}. Converse has no {@code none}: the tools are left out instead, which is only possible
 * while the conversation holds no tool blocks.
 */
final class ToolMapping {

    private ToolMapping() {
    }

    /** The toolConfig, or null when the request should carry none. */
    static ObjectNode toolConfig(ProviderCall call, JsonNode tools, JsonNode toolChoice, boolean conversationUsesTools) {
        if (tools.isMissingNode() || tools.isNull() || tools.isEmpty()) {
            return null;
        }
        boolean none = "none".equals(toolChoice.asText(""));
        if (none && !conversationUsesTools) {
            return null;
        }
        ObjectNode config = BedrockAdapter.JSON.createObjectNode();
        ArrayNode specs = config.putArray("tools");
        for (int i = 0; i < tools.size(); i++) {
            specs.add(toolSpec(tools.get(i), "tools[" + i + "]"));
        }
        if (none) {
            // Converse needs the tools to read the tool blocks, and cannot be told not to call them.
            UnsupportedParams.enforce(call, BedrockAdapter.JSON.createObjectNode().put("tool_choice", "none"), Set.of());
            return config;
        }
        ObjectNode choice = toolChoice(toolChoice);
        if (choice != null) {
            config.set("toolChoice", choice);
        }
        return config;
    }

    private static ObjectNode toolSpec(JsonNode tool, String where) {
        if (!"function".equals(tool.path("type").asText("function")) || !tool.path("function").isObject()) {
            throw Failures.badField(where, where + ": bedrock takes only {\"type\":\"function\",\"function\":{...}} "
                    + "tools.").exception();
        }
        JsonNode function = tool.path("function");
        String name = function.path("name").asText("");
        if (name.isEmpty()) {
            throw Failures.badField(where + ".function.name", where + ".function.name is required.").exception();
        }
        ObjectNode wrapper = BedrockAdapter.JSON.createObjectNode();
        ObjectNode spec = wrapper.putObject("toolSpec").put("name", name);
        if (function.path("description").isTextual()) {
            spec.put("description", function.path("description").asText());
        }
        JsonNode parameters = function.path("parameters");
        ObjectNode schema = parameters.isObject() ? (ObjectNode) parameters
                : BedrockAdapter.JSON.createObjectNode().put("type", "object").set("properties",
                BedrockAdapter.JSON.createObjectNode());
        spec.putObject("inputSchema").set("json", schema);
        return wrapper;
    }

    private static ObjectNode toolChoice(JsonNode toolChoice) {
        ObjectNode choice = BedrockAdapter.JSON.createObjectNode();
        if (toolChoice.isTextual()) {
            switch (toolChoice.asText()) {
                case "auto" -> choice.putObject("auto");
                case "required" -> choice.putObject("any");
                default -> throw Failures.badField("tool_choice", "tool_choice '" + toolChoice.asText()
                        + "' is not one of none, auto, required, or {\"type\":\"function\",...}.").exception();
            }
            return choice;
        }
        if (toolChoice.isObject()) {
            String name = toolChoice.path("function").path("name").asText("");
            if (name.isEmpty()) {
                throw Failures.badField("tool_choice", "tool_choice must name a function: "
                        + "{\"type\":\"function\",\"function\":{\"name\":...}}.").exception();
            }
            choice.putObject("tool").put("name", name);
            return choice;
        }
        return null;
    }
}
