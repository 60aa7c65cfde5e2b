package dev.tollgate.sidecar.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import dev.tollgate.sidecar.provider.SseLines;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Ollama ({@code ollama/} and {@code ollama_chat/}): {@code POST {api_base}/api/chat}, streamed as
 * NDJSON, and {@code /api/embed}. No credential is needed; an {@code api_key}, if set, is sent as a
 * bearer token (Ollama behind an authenticating proxy, or Ollama's hosted service). Thread-safe.
 */
public final class OllamaAdapter implements ProviderAdapter {

    private static final String DEFAULT_BASE = "http://localhost:11434";
    private static final Set<String> EMBED_SUPPORTED = Set.of("model", "input", "dimensions", "encoding_format",
            "user", "truncate", "keep_alive");

    private final HttpClient http;
    private final Clock clock;

    public OllamaAdapter(HttpClient http) {
        this(http, Clock.systemUTC());
    }

    public OllamaAdapter(HttpClient http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    @Override
    public ChatResponse chat(ProviderCall call) {
        JsonNode answer = json(call, send(call, "/api/chat", OllamaRequest.build(call, false)));
        ObjectNode completion = OllamaResponse.completion(call, answer, clock.instant().getEpochSecond());
        return new ChatResponse(OpenAiWire.bytes(completion), OllamaResponse.usage(answer), completion);
    }

    @Override
    public TokenUsage streamChat(ProviderCall call, ChunkSink sink) throws IOException {
        ObjectNode request = OllamaRequest.build(call, true);
        OllamaStream stream = new OllamaStream(call, sink, clock.instant().getEpochSecond());
        HttpResponse<InputStream> response = send(call, "/api/chat", request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw error(call, response.statusCode(), in.readNBytes(64 * 1024)).exception();
            }
            SseLines lines = new SseLines(in);
            for (byte[] line = next(call, lines); line != null; line = next(call, lines)) {
                if (line.length > 0) {
                    stream.line(parse(call, line));
                }
            }
        }
        return stream.end();
    }

    @Override
    public EmbeddingResponse embed(ProviderCall call) {
        UnsupportedParams.enforce(call, call.body(), EMBED_SUPPORTED);
        OpenAiWire.embeddingTexts(call); // refuses token arrays, which Ollama does not take
        ObjectNode request = OllamaRequest.JSON.createObjectNode().put("model", call.deployment().getModel());
        request.set("input", call.body().get("input"));
        for (String field : new String[] {"dimensions", "truncate", "keep_alive"}) {
            if (call.body().hasNonNull(field)) {
                request.set(field, call.body().get(field));
            }
        }
        JsonNode answer = json(call, send(call, "/api/embed", request));
        List<JsonNode> vectors = new ArrayList<>();
        answer.path("embeddings").forEach(vectors::add);
        long tokens = answer.path("prompt_eval_count").asLong(0);
        byte[] body = OpenAiWire.embeddings(vectors, call.deployment().getModel(), tokens,
                call.body().path("encoding_format").asText(""));
        return new EmbeddingResponse(body, TokenUsage.reported(tokens, 0, 0));
    }

    private HttpResponse<byte[]> send(ProviderCall call, String path, ObjectNode body) {
        return send(call, path, body, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <T> HttpResponse<T> send(ProviderCall call, String path, ObjectNode body,
                                     HttpResponse.BodyHandler<T> handler) {
        String base = base(call);
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(base + path));
        } catch (IllegalArgumentException e) {
            throw new GatewayError(500, "configuration_error", "invalid_api_base", call.target().describe()
                    + ": api_base '" + base + "' is not a valid URL").exception();
        }
        request.timeout(call.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(OpenAiWire.bytes(body)));
        String key = call.deployment().getApiKey();
        if (!key.isEmpty()) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            return http.send(request.build(), handler);
        } catch (IOException e) {
            throw ProviderErrors.fromIo(call.target(), base, e).exception();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderErrors.fromIo(call.target(), base, e).exception();
        }
    }

    private static JsonNode json(ProviderCall call, HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw error(call, response.statusCode(), response.body()).exception();
        }
        return parse(call, response.body());
    }

    /** Ollama's error body is {@code {"error": "<text>"}}. */
    private static GatewayError error(ProviderCall call, int status, byte[] body) {
        String message;
        try {
            JsonNode node = OllamaRequest.JSON.readTree(body);
            message = node != null && node.path("error").isTextual() ? node.path("error").asText()
                    : new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            message = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        }
        return ProviderErrors.fromStatus(call.target(), status, message.isBlank() ? "(empty body)" : message.strip(),
                Optional.empty(), call.deployment().getApiKey());
    }

    /** The next line from Ollama; a broken upstream connection is the provider's failure, not the client's. */
    private static byte[] next(ProviderCall call, SseLines lines) {
        try {
            return lines.next();
        } catch (IOException e) {
            throw ProviderErrors.fromIo(call.target(), base(call), e).exception();
        }
    }

    private static JsonNode parse(ProviderCall call, byte[] data) {
        try {
            return OllamaRequest.JSON.readTree(data);
        } catch (IOException e) {
            throw new GatewayError(502, "api_error", "provider_bad_response", call.target().describe()
                    + ": the provider sent a body that is not JSON").exception();
        }
    }

    private static String base(ProviderCall call) {
        String base = call.deployment().getApiBase().isEmpty() ? DEFAULT_BASE : call.deployment().getApiBase();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
