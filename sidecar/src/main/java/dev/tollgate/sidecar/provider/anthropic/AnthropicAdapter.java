package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code anthropic/<model>} provider: Anthropic's Messages API ({@code POST /v1/messages}, headers
 * {@code x-api-key} and {@code anthropic-version: 2023-06-01}). Requests and answers go through this
 * package's translation tables; streams are translated event by event. Deployment params:
 * {@code max_tokens} (default when the request has none), {@code anthropic_beta} (sent as the
 * {@code anthropic-beta} header), {@code timeout} (seconds), {@code drop_params}. Thread-safe.
 */
public final class AnthropicAdapter implements ProviderAdapter {

    static final String VERSION = "2023-06-01";
    private static final String DEFAULT_BASE = "https://api.anthropic.com";

    private final HttpClient http;
    private final Clock clock;

    public AnthropicAdapter(HttpClient http) {
        this(http, Clock.systemUTC());
    }

    AnthropicAdapter(HttpClient http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    @Override
    public ChatResponse chat(ProviderCall call) {
        RequestMapping.Translation t = RequestMapping.toAnthropic(call);
        HttpResponse<byte[]> response = send(call, t.body(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw error(call, response.statusCode(), response.body(), response).exception();
        }
        JsonNode message;
        try {
            message = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            message = null;
        }
        if (message == null || !"message".equals(message.path("type").asText())) {
            throw badResponse(call, "a body that is not an Anthropic message").exception();
        }
        ObjectNode openAi = ResponseMapping.toOpenAi(message, t.jsonTool(), clock.millis() / 1000);
        return new ChatResponse(Json.bytes(openAi), ResponseMapping.usage(message), openAi);
    }

    @Override
    public TokenUsage streamChat(ProviderCall call, ChunkSink sink) throws IOException {
        RequestMapping.Translation t = RequestMapping.toAnthropic(call);
        t.body().put("stream", true);
        HttpResponse<InputStream> response = send(call, t.body(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw error(call, response.statusCode(), in.readNBytes(64 * 1024), response).exception();
            }
            StreamMapping events = new StreamMapping(call, sink, t.jsonTool(), clock.millis() / 1000);
            SseLines lines = new SseLines(in);
            for (byte[] line = lines.next(); line != null && !events.stopped(); line = lines.next()) {
                byte[] data = SseLines.data(line);
                if (data != null && data.length > 0) {
                    events.onEvent(Json.MAPPER.readTree(data));
                }
            }
            if (!events.stopped()) {
                throw new GatewayError(502, "api_error", "provider_stream_error", call.target().describe()
                        + ": the provider's event stream ended before message_stop.").exception();
            }
            return events.usage();
        }
    }

    private <T> HttpResponse<T> send(ProviderCall call, ObjectNode body, HttpResponse.BodyHandler<T> handler) {
        String url = messagesUrl(call);
        HttpRequest.Builder request = HttpRequest.newBuilder()
                .timeout(timeout(call))
                .header("content-type", "application/json")
                .header("anthropic-version", VERSION)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
        String key = call.deployment().getApiKey();
        if (!key.isEmpty()) {
            request.header("x-api-key", key);
        }
        String beta = call.param("anthropic_beta", "");
        if (!beta.isEmpty()) {
            request.header("anthropic-beta", beta);
        }
        try {
            return http.send(request.uri(URI.create(url)).build(), handler);
        } catch (IOException e) {
            throw ProviderErrors.fromIo(call.target(), url, e).exception();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderErrors.fromIo(call.target(), url, e).exception();
        } catch (IllegalArgumentException e) {
            throw new GatewayError(500, "configuration_error", "invalid_api_base", call.target().describe()
                    + ": api_base '" + call.deployment().getApiBase() + "' is not a valid URL").exception();
        }
    }

    /** {@code api_base} may be the host, end in {@code /v1}, or be the full messages URL (LiteLLM's style). */
    static String messagesUrl(ProviderCall call) {
        String base = call.deployment().getApiBase().isEmpty() ? DEFAULT_BASE : call.deployment().getApiBase();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (base.endsWith("/v1/messages")) {
            return base;
        }
        return base.endsWith("/v1") ? base + "/messages" : base + "/v1/messages";
    }

    private static GatewayError error(ProviderCall call, int status, byte[] body, HttpResponse<?> response) {
        Optional<Long> retryAfter = response.headers().firstValue("retry-after").flatMap(AnthropicAdapter::seconds);
        String type = AnthropicErrors.errorObject(body).path("type").asText(null);
        return ProviderErrors.fromStatus(call.target(), status, AnthropicErrors.messageOf(body), type, retryAfter,
                call.deployment().getApiKey());
    }

    private static GatewayError badResponse(ProviderCall call, String what) {
        return new GatewayError(502, "api_error", "provider_bad_response", call.target().describe()
                + ": the provider answered 200 with " + what + ".");
    }

    private static Duration timeout(ProviderCall call) {
        return call.timeout();
    }

    private static Optional<Long> seconds(String value) {
        try {
            return Optional.of((long) Math.ceil(Double.parseDouble(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
