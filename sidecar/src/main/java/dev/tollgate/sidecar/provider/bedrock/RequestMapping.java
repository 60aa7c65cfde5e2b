package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An OpenAI chat request to a Converse request body. Sampling fields go to {@code inferenceConfig}; Converse's own
 * top-level fields (guardrails, additional model fields, ...) pass through unchanged; anything else goes through
 * {@link UnsupportedParams}.
 */
final class RequestMapping {

    /** Converse fields a client may send as-is. */
    static final Set<String> CONVERSE_FIELDS = Set.of("additionalModelRequestFields",
            "additionalModelResponseFieldPaths", "guardrailConfig", "performanceConfig", "promptVariables",
            "requestMetadata", "serviceTier");
    /** What Bedrock accepts as a requestMetadata value. */
    private static final Pattern REQUEST_METADATA_VALUE = Pattern.compile("[a-zA-Z0-9\\s:_@$#=/+,.-]{1,256}");
    private static final System.Logger LOG = System.getLogger(RequestMapping.class.getName());
    private static final Set<String> SUPPORTED = union(CONVERSE_FIELDS, Set.of("model", "messages", "stream",
            "stream_options", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "tools",
            "tool_choice", "n", "parallel_tool_calls", "user"));

    private RequestMapping() {
    }

    static ObjectNode converse(ProviderCall call) {
        ObjectNode body = call.body();
        removeIfDefault(body, "n", 1);
        if (body.path("parallel_tool_calls").asBoolean(false)) {
            body.remove("parallel_tool_calls");
        }
        UnsupportedParams.enforce(call, body, SUPPORTED);

        ObjectNode out = BedrockAdapter.JSON.createObjectNode();
        MessageMapping.Conversation conversation = MessageMapping.map(body.path("messages"));
        out.set("messages", conversation.messages());
        if (!conversation.system().isEmpty()) {
            out.set("system", conversation.system());
        }
        ObjectNode inference = inferenceConfig(body);
        if (!inference.isEmpty()) {
            out.set("inferenceConfig", inference);
        }
        ObjectNode tools = ToolMapping.toolConfig(call, body.path("tools"), body.path("tool_choice"),
                conversation.usesTools());
        if (tools != null) {
            out.set("toolConfig", tools);
        }
        for (String field : CONVERSE_FIELDS) {
            if (body.has(field)) {
                out.set(field, body.get(field));
            }
        }
        String user = body.path("user").asText("");
        if (REQUEST_METADATA_VALUE.matcher(user).matches()) {
            // OpenAI's end-user id; Bedrock keeps request metadata in its invocation logs.
            ObjectNode metadata = out.path("requestMetadata").isObject() ? (ObjectNode) out.get("requestMetadata")
                    : out.putObject("requestMetadata");
            metadata.put("user", user);
        } else if (!user.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, () -> "request " + call.requestId() + ": 'user' has characters "
                    + "Bedrock request metadata refuses; not sent");
        }
        return out;
    }

    static ObjectNode inferenceConfig(JsonNode body) {
        ObjectNode config = BedrockAdapter.JSON.createObjectNode();
        JsonNode maxTokens = body.has("max_completion_tokens") ? body.get("max_completion_tokens")
                : body.path("max_tokens");
        if (maxTokens.isNumber()) {
            config.put("maxTokens", maxTokens.asLong());
        }
        if (body.path("temperature").isNumber()) {
            config.set("temperature", body.get("temperature"));
        }
        if (body.path("top_p").isNumber()) {
            config.set("topP", body.get("top_p"));
        }
        JsonNode stop = body.path("stop");
        if (stop.isTextual()) {
            config.putArray("stopSequences").add(stop.asText());
        } else if (stop.isArray() && !stop.isEmpty()) {
            ArrayNode sequences = config.putArray("stopSequences");
            stop.forEach(s -> sequences.add(s.asText()));
        }
        return config;
    }

    private static void removeIfDefault(ObjectNode body, String field, int value) {
        if (body.path(field).isNumber() && body.path(field).asInt() == value) {
            body.remove(field);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
