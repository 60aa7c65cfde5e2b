package dev.tollgate.sidecar.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import dev.tollgate.sidecar.provider.SseLines;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * OpenAI Chat Completions, and every provider that speaks it: an {@link OpenAiUpstream} chooses
 * the URL, the credential headers and the provider's quirks. Requests pass through with only
 * {@code model} rewritten; streams are relayed chunk by chunk. Thread-safe.
 */
public final class OpenAiAdapter implements ProviderAdapter {

    static final ObjectMapper JSON = Json.mapper();
    private static final String DEFAULT_BASE = "https://api.openai.com/v1";
    private static final byte[] USAGE_FIELD = "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final HttpClient http;
    private final OpenAiUpstream upstream;

    public OpenAiAdapter(HttpClient http) {
        this(http, DEFAULT_BASE);
    }

    /** For the OpenAI-compatible family, each with its own default base URL. */
    public OpenAiAdapter(HttpClient http, String defaultBase) {
        this(http, BearerUpstream.at(defaultBase));
    }

    public OpenAiAdapter(HttpClient http, OpenAiUpstream upstream) {
        this.http = http;
        this.upstream = upstream;
    }

    @Override
    public ChatResponse chat(ProviderCall call) {
        HttpResponse<byte[]> response = send(call, "/chat/completions", call.body(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode tree = answer(call, response);
        return new ChatResponse(response.body(), TokenUsage.fromOpenAi(tree.path("usage")), tree);
    }

    @Override
    public EmbeddingResponse embed(ProviderCall call) {
        HttpResponse<byte[]> response = send(call, "/embeddings", call.body(), HttpResponse.BodyHandlers.ofByteArray());
        return new EmbeddingResponse(response.body(), TokenUsage.fromOpenAi(answer(call, response).path("usage")));
    }

    /** The parsed body of a successful answer; any other status is the provider's error. */
    private JsonNode answer(ProviderCall call, HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw error(call, response.statusCode(), response.body(), response).exception();
        }
        try {
            JsonNode tree = JSON.readTree(response.body());
            if (tree != null) {
                return tree;
            }
        } catch (IOException e) {
            // said below
        }
        throw new GatewayError(502, "api_error", "provider_bad_response", call.target().describe()
                + ": the provider answered 200 with a body that is not JSON").exception();
    }

    @Override
    public TokenUsage streamChat(ProviderCall call, ChunkSink sink) throws IOException {
        ObjectNode body = call.body();
        if (upstream.streamUsage() == OpenAiUpstream.StreamUsage.ALWAYS_AND_REFUSES_OPTION) {
            // Usage arrives in the last chunk unasked; the provider would refuse the field.
            body.remove("stream_options");
        } else if (!call.clientWantsUsage()) {
            // Ask for usage anyway so the usage record is exact; the extra chunk is not relayed.
            body.putObject("stream_options").put("include_usage", true);
        }
        HttpResponse<InputStream> response = send(call, "/chat/completions", body,
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw error(call, response.statusCode(), in.readNBytes(64 * 1024), response).exception();
            }
            SseLines lines = new SseLines(in);
            TokenUsage usage = TokenUsage.NONE;
            boolean done = false;
            for (byte[] line = lines.next(); line != null; line = lines.next()) {
                byte[] data = SseLines.data(line);
                if (data == null || data.length == 0) {
                    continue;
                }
                if (SseLines.isDone(data)) {
                    done = true;
                    break;
                }
                if (contains(data, USAGE_FIELD)) {
                    JsonNode chunk = JSON.readTree(data);
                    if (chunk.has("error")) {
                        throw streamError(call, chunk.path("error"));
                    }
                    JsonNode u = chunk.path("usage");
                    if (u.isObject()) {
                        usage = TokenUsage.fromOpenAi(u);
                        if (!call.clientWantsUsage() && chunk.path("choices").isEmpty()) {
                            continue;
                        }
                    }
                } else if (startsWithError(data)) {
                    throw streamError(call, JSON.readTree(data).path("error"));
                }
                sink.chunk(data);
            }
            if (!done) {
                // OpenAI-compatible servers end every stream with [DONE]; without it the answer is cut short.
                throw new GatewayError(502, "api_error", "provider_stream_error", call.target().describe()
                        + ": the provider's stream ended before data: [DONE]; the connection closed early and the "
                        + "answer is incomplete.").exception();
            }
            return usage;
        }
    }

    private <T> HttpResponse<T> send(ProviderCall call, String operation, ObjectNode body,
                                     HttpResponse.BodyHandler<T> handler) {
        String base = upstream.base(call);
        String url = upstream.url(call, operation);
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(uri(url));
        } catch (IllegalArgumentException e) {
            throw new GatewayError(500, "configuration_error", "invalid_api_base", call.target().describe()
                    + ": api_base '" + base + "' is not a valid URL").exception();
        }
        request.timeout(call.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(toBytes(body)));
        upstream.authorize(call, request);
        try {
            return http.send(request.build(), handler);
        } catch (IOException e) {
            throw ProviderErrors.fromIo(call.target(), base, e).exception();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderErrors.fromIo(call.target(), base, e).exception();
        } catch (IllegalArgumentException e) {
            throw new GatewayError(500, "configuration_error", "invalid_api_base", call.target().describe()
                    + ": api_base '" + base + "' is not a valid URL").exception();
        }
    }

    private GatewayError error(ProviderCall call, int status, byte[] body, HttpResponse<?> response) {
        Optional<GatewayError> specific = upstream.classify(call, status, parsed(body));
        if (specific.isPresent()) {
            return specific.get();
        }
        Optional<Long> retryAfter = response.headers().firstValue("retry-after").flatMap(OpenAiAdapter::seconds);
        JsonNode parsedBody = parsed(body);
        JsonNode code = parsedBody.path("error").path("code");
        return ProviderErrors.fromStatus(call.target(), status, messageOf(body), code.isTextual() ? code.asText() : null,
                retryAfter, upstream.secret(call));
    }

    private RuntimeException streamError(ProviderCall call, JsonNode error) {
        return new GatewayError(502, "api_error", "provider_stream_error", call.target().describe()
                + ": the provider reported an error mid-stream: \""
                + dev.tollgate.sidecar.provider.Redaction.scrub(error.path("message").asText(), upstream.secret(call))
                + "\"").exception();
    }

    private static JsonNode parsed(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.missingNode() : node;
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    /** The provider's own message from an OpenAI error body, or the start of the body. */
    static String messageOf(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.path("error").path("message").isTextual()) {
                return node.path("error").path("message").asText();
            }
        } catch (IOException ignored) {
            // not JSON: quote the text
        }
        String text = new String(body, 0, Math.min(body.length, 300), java.nio.charset.StandardCharsets.UTF_8);
        return text.isBlank() ? "(empty body)" : text.strip();
    }

    private static Optional<Long> seconds(String value) {
        try {
            return Optional.of((long) Math.ceil(Double.parseDouble(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static byte[] toBytes(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed JSON tree always serialises", e);
        }
    }

    /** Parsed request URLs: a deployment calls the same one or two, and parsing one each time showed in the profile. */
    private static final java.util.concurrent.ConcurrentHashMap<String, URI> URIS = new java.util.concurrent.ConcurrentHashMap<>();

    private static URI uri(String url) {
        URI known = URIS.get(url);
        if (known != null) {
            return known;
        }
        URI parsed = URI.create(url);
        if (URIS.size() < 1024) {
            URIS.put(url, parsed);
        }
        return parsed;
    }

    private static boolean startsWithError(byte[] data) {
        int i = 0;
        while (i < data.length && (data[i] == '{' || data[i] == ' ')) {
            i++;
        }
        return data.length - i > 7 && data[i] == '"' && data[i + 1] == 'e' && data[i + 2] == 'r' && data[i + 3] == 'r'
                && data[i + 4] == 'o' && data[i + 5] == 'r' && data[i + 6] == '"';
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
