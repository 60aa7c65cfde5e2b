package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import dev.tollgate.sidecar.provider.Redaction;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google's error body {@code {"error":{"code","message","status","details"}}} mapped through
 * {@link ProviderErrors}, with the cases where Google's status misleads: AI Studio answers a bad
 * key with 400 INVALID_ARGUMENT (and a missing one with 403 "unregistered callers"), both of which
 * are credential problems (401); a prompt over the context window is a 400 of its own; a 429's
 * wait is in {@code details[].retryDelay}.
 */
final class GoogleErrors {

    private static final Pattern CONTEXT_LENGTH = Pattern.compile("(?i)token count.*exceeds the maximum");
    private static final Pattern SECONDS = Pattern.compile("^(\\d+(?:\\.\\d+)?)s$");

    private GoogleErrors() {
    }

    static GatewayError fromResponse(ProviderCall call, int status, byte[] body, HttpHeaders headers) {
        JsonNode error = parse(body).path("error");
        String message = error.path("message").isTextual() ? error.path("message").asText() : text(body);
        String secret = call.deployment().getApiKey();
        if (isCredentialProblem(status, error, message)) {
            return ProviderErrors.fromStatus(call.target(), 401, message, Optional.empty(), secret);
        }
        if (status == 400 && CONTEXT_LENGTH.matcher(message).find()) {
            return new GatewayError(400, "invalid_request_error", "context_length_exceeded", call.target().describe()
                    + ": the prompt is longer than the model's context window; shorten the conversation or use a model "
                    + "with a larger window. The provider said: \"" + Redaction.scrub(message, secret) + "\"",
                    "messages", Optional.empty());
        }
        Optional<Long> retryAfter = retryDelay(error).or(() -> headers.firstValue("retry-after").flatMap(
                GoogleErrors::seconds));
        return ProviderErrors.fromStatus(call.target(), status, message, retryAfter, secret);
    }

    /** An {@code {"error": ...}} event inside a 200 stream. */
    static RuntimeException midStream(ProviderCall call, JsonNode error) {
        return new GatewayError(502, "api_error", "provider_stream_error", call.target().describe()
                + ": the provider reported an error mid-stream (" + error.path("status").asText("UNKNOWN") + "): \""
                + Redaction.scrub(error.path("message").asText(), call.deployment().getApiKey()) + "\"").exception();
    }

    private static boolean isCredentialProblem(int status, JsonNode error, String message) {
        if (status == 400) {
            for (JsonNode detail : error.path("details")) {
                if ("API_KEY_INVALID".equals(detail.path("reason").asText())) {
                    return true;
                }
            }
            return message.contains("API key not valid") || message.contains("API Key not found");
        }
        return status == 403 && message.contains("unregistered callers");
    }

    private static Optional<Long> retryDelay(JsonNode error) {
        for (JsonNode detail : error.path("details")) {
            if (detail.path("@type").asText().endsWith("google.rpc.RetryInfo")) {
                Matcher m = SECONDS.matcher(detail.path("retryDelay").asText());
                if (m.matches()) {
                    return Optional.of((long) Math.ceil(Double.parseDouble(m.group(1))));
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Long> seconds(String value) {
        try {
            return Optional.of((long) Math.ceil(Double.parseDouble(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = GoogleTransport.JSON.readTree(body);
            return node == null ? GoogleTransport.JSON.missingNode() : node;
        } catch (IOException e) {
            return GoogleTransport.JSON.missingNode();
        }
    }

    private static String text(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        return text.isBlank() ? "(empty body)" : text.strip();
    }
}
