package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bedrock's errors ({@code x-amzn-errortype} header or eventstream {@code :exception-type}, JSON body
 * {@code {"message": ...}}) mapped onto the gateway catalogue through {@link ProviderErrors}, so Bedrock fails the
 * way every provider does. AWS answers 403 for bad signatures and unknown keys; those become 401 here, because the
 * credential is what is wrong.
 */
final class BedrockErrors {

    /** Bedrock's ValidationException texts for prompts over the context window. */
    private static final Pattern CONTEXT_LENGTH = Pattern.compile(
            "(?i)(too long|too many (input )?tokens|context (length|window))");
    private static final String CREDENTIAL_HINT = " For bedrock the credential is aws_access_key_id, "
            + "aws_secret_access_key and aws_session_token (api_key is not used); check them and aws_region_name.";

    private BedrockErrors() {
    }

    static GatewayError fromResponse(ProviderCall call, BedrockSettings s, int status, HttpHeaders headers,
                                     byte[] body) {
        JsonNode json = parse(body);
        String type = headers.firstValue("x-amzn-errortype")
                .orElse(json.path("__type").asText(json.path("code").asText("")));
        String message = json.path("message").asText(json.path("Message").asText(""));
        if (message.isEmpty()) {
            String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8).strip();
            message = text.isEmpty() ? "(empty body)" : text;
        }
        Optional<Long> retryAfter = headers.firstValue("retry-after").flatMap(BedrockErrors::seconds);
        return fromType(call, s, simpleName(type), status, message, retryAfter);
    }

    /**
     * {@code type} is the exception's simple name in either casing ({@code ThrottlingException} from HTTP,
     * {@code throttlingException} from the stream); {@code status} is used when the type is unknown.
     */
    static GatewayError fromType(ProviderCall call, BedrockSettings s, String type, int status, String message,
                                 Optional<Long> retryAfter) {
        String said = s.scrub(message);
        int mapped = switch (type.toLowerCase(Locale.ROOT)) {
            case "accessdeniedexception" -> 403;
            case "unrecognizedclientexception", "invalidsignatureexception", "expiredtokenexception",
                 "incompletesignatureexception", "missingauthenticationtokenexception",
                 "invalidclienttokenid", "signaturedoesnotmatch" -> 401;
            case "resourcenotfoundexception" -> 404;
            case "validationexception" -> 400;
            case "throttlingexception", "servicequotaexceededexception" -> 429;
            case "serviceunavailableexception", "modelnotreadyexception" -> 503;
            case "internalserverexception" -> 500;
            case "modeltimeoutexception" -> 408;
            case "modelerrorexception", "modelstreamerrorexception" -> 424;
            default -> status;
        };
        if (mapped == 400 && CONTEXT_LENGTH.matcher(said).find()) {
            return new GatewayError(400, "invalid_request_error", "context_length_exceeded", call.target().describe()
                    + ": the request does not fit the model's context window; shorten the messages or lower "
                    + "max_tokens. The provider said: \"" + said + "\"", "messages", Optional.empty());
        }
        GatewayError error = ProviderErrors.fromStatus(call.target(), mapped, said, retryAfter, s.secretAccessKey());
        if (mapped == 401) {
            return new GatewayError(error.status(), error.type(), error.code(), error.message() + CREDENTIAL_HINT,
                    error.param(), error.retryAfterSeconds());
        }
        return error;
    }

    /** An error event inside a ConverseStream (after the 200): named by its {@code :exception-type}. */
    static GatewayError midStream(ProviderCall call, BedrockSettings s, String type, byte[] payload) {
        String message = parse(payload).path("message").asText("");
        if (message.isEmpty()) {
            message = new String(payload, StandardCharsets.UTF_8).strip();
        }
        String name = type.toLowerCase(Locale.ROOT);
        if (name.equals("throttlingexception") || name.equals("serviceunavailableexception")
                || name.equals("validationexception")) {
            return fromType(call, s, type, 502, message, Optional.empty());
        }
        return new GatewayError(502, "api_error", "provider_stream_error", call.target().describe()
                + ": the provider reported " + (type.isEmpty() ? "an error" : s.scrub(type)) + " mid-stream: \""
                + s.scrub(message) + "\"");
    }

    static GatewayError badResponse(ProviderCall call, String what) {
        return new GatewayError(502, "api_error", "provider_bad_response", call.target().describe()
                + ": the provider " + what + ".");
    }

    /** {@code ValidationException:http://internal.amazon.com/...} and {@code com.amazon...#ValidationException}. */
    static String simpleName(String type) {
        String t = type.strip();
        int colon = t.indexOf(':');
        if (colon >= 0) {
            t = t.substring(0, colon);
        }
        int hash = t.lastIndexOf('#');
        return hash >= 0 ? t.substring(hash + 1) : t;
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = BedrockAdapter.JSON.readTree(body);
            return node == null ? BedrockAdapter.JSON.missingNode() : node;
        } catch (IOException e) {
            return BedrockAdapter.JSON.missingNode();
        }
    }

    private static Optional<Long> seconds(String value) {
        try {
            return Optional.of((long) Math.ceil(Double.parseDouble(value.strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
