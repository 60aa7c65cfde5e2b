package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;

/**
 * Type and range checks of the OpenAI chat request fields the gateway and every adapter read, so
 * that a wrong type is a 400 naming the field rather than a provider error or a silent default.
 * Fields not listed pass through to the provider unchecked.
 */
final class RequestChecks {

    private static final long MAX_TOKENS_LIMIT = 10_000_000;

    private RequestChecks() {
    }

    static void chat(ObjectNode body) {
        messages(body.get("messages"));
        bool(body, "stream");
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw bad("stream_options", "Field 'stream_options' must be an object, e.g. {\"include_usage\": true}.");
            }
            bool((ObjectNode) options, "include_usage");
        }
        positiveInt(body, "max_tokens");
        positiveInt(body, "max_completion_tokens");
        positiveInt(body, "n");
        range(body, "temperature", 0, 2);
        range(body, "top_p", 0, 1);
        range(body, "presence_penalty", -2, 2);
        range(body, "frequency_penalty", -2, 2);
        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull() && !stop.isTextual() && !(stop.isArray() && allText(stop))) {
            throw bad("stop", "Field 'stop' must be a string or a list of strings.");
        }
        JsonNode tools = body.get("tools");
        if (tools != null && !tools.isNull() && !tools.isArray()) {
            throw bad("tools", "Field 'tools' must be a list of {type: \"function\", function: {...}} objects.");
        }
    }

    private static void messages(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw bad("messages", "Missing required field 'messages': a non-empty list of {role, content} objects.");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw bad("messages", "Field 'messages' must be a non-empty list of {role, content} objects.");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw bad("messages[" + i + "]", "messages[" + i + "] must be an object with a string 'role'.");
            }
            JsonNode calls = m.get("tool_calls");
            if (calls != null && !calls.isNull() && !calls.isArray()) {
                throw bad("messages[" + i + "].tool_calls", "messages[" + i + "].tool_calls must be a list of "
                        + "{id, type: \"function\", function: {name, arguments}} objects.");
            }
            JsonNode content = m.get("content");
            if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
                throw bad("messages[" + i + "].content", "messages[" + i + "].content must be a string, a list of "
                        + "content parts, or null.");
            }
        }
    }

    private static void bool(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v != null && !v.isNull() && !v.isBoolean()) {
            throw bad(field, "Field '" + field + "' must be true or false, got " + kind(v) + ".");
        }
    }

    private static void positiveInt(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1 || v.asLong() > MAX_TOKENS_LIMIT) {
            throw bad(field, "Field '" + field + "' must be an integer from 1 to " + MAX_TOKENS_LIMIT + ", got "
                    + kind(v) + ".");
        }
    }

    private static void range(ObjectNode body, String field, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < min || v.asDouble() > max) {
            throw bad(field, "Field '" + field + "' must be a number from " + fmt(min) + " to " + fmt(max) + ", got "
                    + kind(v) + ".");
        }
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isTextual()) {
                return false;
            }
        }
        return true;
    }

    /** What a wrong value was, without echoing a possibly huge or sensitive value in full. */
    private static String kind(JsonNode v) {
        String text = v.isTextual() ? "the string \"" + v.asText() + "\"" : v.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static RuntimeException bad(String param, String message) {
        return Failures.badField(param, message).exception();
    }
}
