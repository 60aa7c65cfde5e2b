package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import dev.tollgate.sidecar.provider.SseLines;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.time.Clock;

/**
 * Gemini models behind a {@link GoogleEndpoint} (AI Studio for {@code gemini/}, Vertex AI for
 * {@code vertex_ai/}): OpenAI chat requests become {@code generateContent} calls, streams use
 * {@code streamGenerateContent?alt=sse} and are translated event by event. Thread-safe.
 */
public final class GeminiAdapter implements ProviderAdapter {

    private final GoogleEndpoint endpoint;
    private final GoogleTransport transport;
    private final Clock clock;

    public GeminiAdapter(HttpClient http, GoogleEndpoint endpoint) {
        this(http, endpoint, Clock.systemUTC());
    }

    public GeminiAdapter(HttpClient http, GoogleEndpoint endpoint, Clock clock) {
        this.endpoint = endpoint;
        this.transport = new GoogleTransport(http, endpoint);
        this.clock = clock;
    }

    @Override
    public ChatResponse chat(ProviderCall call) {
        ObjectNode request = GeminiRequest.build(call);
        JsonNode response = transport.post(call, endpoint.modelUrl(call, "generateContent"), request);
        ObjectNode completion = GeminiResponse.completion(call, response, clock.instant().getEpochSecond());
        return new ChatResponse(OpenAiWire.bytes(completion), GeminiResponse.usage(response.path("usageMetadata")),
                completion);
    }

    @Override
    public TokenUsage streamChat(ProviderCall call, ChunkSink sink) throws IOException {
        ObjectNode request = GeminiRequest.build(call);
        GeminiStream stream = new GeminiStream(call, sink, clock.instant().getEpochSecond());
        try (InputStream in = transport.open(call, endpoint.modelUrl(call, "streamGenerateContent") + "?alt=sse",
                request)) {
            SseLines lines = new SseLines(in);
            for (byte[] line = next(call, lines); line != null; line = next(call, lines)) {
                byte[] data = SseLines.data(line);
                if (data == null || data.length == 0) {
                    continue;
                }
                stream.event(parse(call, data));
            }
        }
        return stream.end();
    }

    @Override
    public EmbeddingResponse embed(ProviderCall call) {
        return endpoint.embed(call, transport);
    }

    /** The next line from the provider; a broken upstream connection is the provider's failure, not the client's. */
    private byte[] next(ProviderCall call, SseLines lines) {
        try {
            return lines.next();
        } catch (IOException e) {
            throw ProviderErrors.fromIo(call.target(), endpoint.base(call), e).exception();
        }
    }

    private static JsonNode parse(ProviderCall call, byte[] data) {
        try {
            return GoogleTransport.JSON.readTree(data);
        } catch (IOException e) {
            throw new GatewayError(502, "api_error", "provider_bad_response", call.target().describe()
                    + ": the provider sent a stream event that is not JSON").exception();
        }
    }
}
