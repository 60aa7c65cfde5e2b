package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.failure.GatewayError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Anthropic's error catalogue: its {@code {"type":"error","error":{"type","message"}}} body, and the
 * table between its error types and HTTP statuses (used to read its errors and to write ours on the
 * {@code /v1/messages} surface). Thread-safe (stateless).
 */
public final class AnthropicErrors {

    private AnthropicErrors() {
    }

    /** The Anthropic error type a client of {@code /v1/messages} sees for a gateway error. */
    public static String typeFor(GatewayError error) {
        return switch (error.status()) {
            case 400, 409, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "provider_overloaded".equals(error.code()) ? "overloaded_error" : "api_error";
            case 504 -> "timeout_error";
            default -> error.status() < 500 ? "invalid_request_error" : "api_error";
        };
    }

    /** The Anthropic error envelope for a gateway error; {@code code} is Tollgate's catalogue code (an addition). */
    public static byte[] envelope(GatewayError error) {
        var root = Json.object().put("type", "error");
        root.putObject("error")
                .put("type", typeFor(error))
                .put("message", error.message())
                .put("code", error.code());
        return Json.bytes(root);
    }

    /** The HTTP status Anthropic documents for an error type (for errors that arrive inside a stream). */
    static int statusFor(String type) {
        return switch (type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    /** The {@code error} object of an Anthropic error body, or a missing node when the body is not one. */
    static JsonNode errorObject(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node != null && node.path("error").isObject()) {
                return node.path("error");
            }
        } catch (IOException ignored) {
            // not JSON (a proxy's HTML page, say): the caller quotes the text
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** Anthropic's own message from an error body, or the start of the body. */
    static String messageOf(byte[] body) {
        JsonNode error = errorObject(body);
        if (error.path("message").isTextual()) {
            return error.path("message").asText();
        }
        String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        return text.isBlank() ? "(empty body)" : text.strip();
    }
}
