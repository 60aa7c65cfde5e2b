package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * OpenAI chat request to Anthropic Messages request: the top-level fields. Messages, tools and JSON
 * mode have their own tables ({@link MessageMapping}, {@link ToolMapping}, {@link JsonMode}).
 */
final class RequestMapping {

    /**
     * {@code max_tokens} when neither the request nor the deployment names one: Anthropic requires the
     * field, OpenAI does not. 4096 fits every current Claude model's output limit.
     */
    static final int DEFAULT_MAX_TOKENS = 4096;

    /** OpenAI fields translated here, plus Anthropic-native ones passed through ({@code top_k}, {@code thinking}). */
    private static final Set<String> SUPPORTED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "stream", "stream_options", "stop", "temperature", "top_p", "top_k", "user", "tools", "tool_choice",
            "parallel_tool_calls", "response_format", "thinking");

    private RequestMapping() {
    }

    /** The Anthropic body, and the forced tool that carries the answer when JSON output was asked for. */
    record Translation(ObjectNode body, Optional<String> jsonTool) {
    }

    static Translation toAnthropic(ProviderCall call) {
        ObjectNode in = call.body();
        dropNoOps(in);
        Set<String> supported = SUPPORTED;
        if (JsonMode.requested(in) && in.path("tools").size() > 0) {
            // JSON mode is a forced tool; it cannot share the turn with the caller's own tools.
            supported = new HashSet<>(SUPPORTED);
            supported.remove("response_format");
        }
        UnsupportedParams.enforce(call, in, supported);
        ObjectNode out = Json.object();
        out.put("model", in.path("model").asText());
        MessageMapping.toAnthropic(in.path("messages"), out);
        out.put("max_tokens", maxTokens(call, in));
        stopSequences(in.get("stop"), out);
        copy(in, out, "temperature", "top_p", "top_k", "thinking");
        if (in.path("user").isTextual() && !in.path("user").asText().isEmpty()) {
            out.putObject("metadata").put("user_id", in.path("user").asText());
        }
        ToolMapping.toAnthropic(in, out);
        Optional<String> jsonTool = JsonMode.apply(in, out);
        return new Translation(out, jsonTool);
    }

    /** Fields whose value asks for nothing (OpenAI SDKs and frameworks send them by default). */
    private static void dropNoOps(ObjectNode in) {
        in.properties().removeIf(e -> e.getValue().isNull());
        removeIf(in, "n", n -> n.isNumber() && n.asInt() == 1);
        removeIf(in, "logprobs", n -> n.isBoolean() && !n.asBoolean());
        removeIf(in, "presence_penalty", n -> n.isNumber() && n.asDouble() == 0);
        removeIf(in, "frequency_penalty", n -> n.isNumber() && n.asDouble() == 0);
        removeIf(in, "response_format", n -> "text".equals(n.path("type").asText()));
    }

    private static void removeIf(ObjectNode in, String field, java.util.function.Predicate<JsonNode> noOp) {
        JsonNode value = in.get(field);
        if (value != null && noOp.test(value)) {
            in.remove(field);
        }
    }

    /** Request {@code max_completion_tokens}, else {@code max_tokens}, else the deployment's, else the default. */
    static int maxTokens(ProviderCall call, ObjectNode in) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode value = in.get(field);
            if (value != null) {
                if (!value.canConvertToInt() || value.asInt() < 1) {
                    throw Failures.badField(field, "Field '" + field + "' must be a positive integer.").exception();
                }
                return value.asInt();
            }
        }
        String configured = call.param("max_tokens", "");
        try {
            return configured.isEmpty() ? DEFAULT_MAX_TOKENS : Integer.parseInt(configured.trim());
        } catch (NumberFormatException e) {
            return DEFAULT_MAX_TOKENS;
        }
    }

    private static void stopSequences(JsonNode stop, ObjectNode out) {
        if (stop == null) {
            return;
        }
        ArrayNode sequences = Json.array();
        if (stop.isTextual()) {
            sequences.add(stop.asText());
        } else if (stop.isArray()) {
            stop.forEach(s -> sequences.add(s.asText()));
        } else {
            throw Failures.badField("stop", "Field 'stop' must be a string or a list of strings.").exception();
        }
        if (!sequences.isEmpty()) {
            out.set("stop_sequences", sequences);
        }
    }

    private static void copy(ObjectNode in, ObjectNode out, String... fields) {
        for (String field : fields) {
            if (in.has(field)) {
                out.set(field, in.get(field));
            }
        }
    }
}
