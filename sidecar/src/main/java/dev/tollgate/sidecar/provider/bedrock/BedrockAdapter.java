package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;

/**
 * AWS Bedrock Runtime: chat through Converse and ConverseStream ({@code POST /model/{modelId}/converse[-stream]}),
 * embeddings through InvokeModel, each request SigV4-signed with the deployment's AWS credentials. The endpoint is
 * {@code https://bedrock-runtime.{aws_region_name}.amazonaws.com} unless {@code api_base} overrides it. Streams are
 * decoded from AWS eventstream framing and relayed event by event. Thread-safe.
 */
public final class BedrockAdapter implements ProviderAdapter {

    static final ObjectMapper JSON = Json.mapper();

    private final BedrockHttp http;
    private final Clock clock;

    public BedrockAdapter(HttpClient http) {
        this(http, Clock.systemUTC());
    }

    public BedrockAdapter(HttpClient http, Clock clock) {
        this.http = new BedrockHttp(http);
        this.clock = clock;
    }

    @Override
    public ChatResponse chat(ProviderCall call) {
        BedrockSettings settings = BedrockSettings.of(call);
        byte[] request = bytes(RequestMapping.converse(call));
        HttpResponse<byte[]> response = http.post(call, settings, settings.uri(call, "converse"), request);
        JsonNode converse = BedrockHttp.json(call, response);
        ObjectNode completion = ResponseMapping.completion(converse, id(call, response), call.deployment().getModel(),
                clock.instant().getEpochSecond());
        return new ChatResponse(bytes(completion), ResponseMapping.usage(converse.path("usage")), completion);
    }

    @Override
    public TokenUsage streamChat(ProviderCall call, ChunkSink sink) throws IOException {
        BedrockSettings settings = BedrockSettings.of(call);
        byte[] request = bytes(RequestMapping.converse(call));
        HttpResponse<InputStream> response = http.postForStream(call, settings,
                settings.uri(call, "converse-stream"), request);
        StreamMapping mapping = new StreamMapping(call, settings, sink, id(call, response),
                clock.instant().getEpochSecond());
        try (InputStream in = response.body()) {
            EventStreamDecoder events = new EventStreamDecoder(in);
            for (EventStreamDecoder.Message m = next(call, settings, events); m != null;
                 m = next(call, settings, events)) {
                mapping.accept(m);
            }
        }
        return mapping.finish();
    }

    @Override
    public EmbeddingResponse embed(ProviderCall call) {
        ObjectNode response = EmbeddingMapping.embed(call, BedrockSettings.of(call), http);
        return new EmbeddingResponse(bytes(response), EmbeddingMapping.usage(response));
    }

    /** Reading the upstream stream is the provider's failure, not the client's: map it before the handler sees it. */
    private static EventStreamDecoder.Message next(ProviderCall call, BedrockSettings settings,
                                                   EventStreamDecoder events) {
        try {
            return events.next();
        } catch (EventStreamDecoder.FramingException e) {
            throw BedrockErrors.badResponse(call, "sent a broken eventstream (" + e.getMessage() + ")").exception();
        } catch (IOException e) {
            throw ProviderErrors.fromIo(call.target(), settings.endpoint(), e).exception();
        }
    }

    private static String id(ProviderCall call, HttpResponse<?> response) {
        return "chatcmpl-" + response.headers().firstValue("x-amzn-requestid").orElse(call.requestId());
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
