package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderAdapter.EmbeddingResponse;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * OpenAI embeddings through AI Studio: one string to {@code :embedContent}, a list to
 * {@code :batchEmbedContents}; {@code dimensions} to {@code outputDimensionality}. AI Studio
 * reports no token count for embeddings, so usage is estimated at one token per four characters
 * when the answer lacks {@code usageMetadata}. Stateless.
 */
public final class GeminiEmbeddings {

    /** OpenAI embeddings fields Google's embeddings APIs can honour. */
    public static final Set<String> SUPPORTED = Set.of("model", "input", "dimensions", "encoding_format", "user");

    private GeminiEmbeddings() {
    }

    static EmbeddingResponse embed(ProviderCall call, GoogleEndpoint endpoint, GoogleTransport transport) {
        UnsupportedParams.enforce(call, call.body(), SUPPORTED);
        List<String> texts = OpenAiWire.embeddingTexts(call);
        JsonNode dimensions = call.body().path("dimensions");
        String model = call.deployment().getModel();
        List<JsonNode> vectors = new ArrayList<>();
        JsonNode answer;
        if (call.body().path("input").isTextual()) {
            ObjectNode request = content(texts.get(0), dimensions);
            answer = transport.post(call, endpoint.modelUrl(call, "embedContent"), request);
            vectors.add(answer.path("embedding").path("values"));
        } else {
            ObjectNode request = GoogleTransport.JSON.createObjectNode();
            ArrayNode requests = request.putArray("requests");
            texts.forEach(text -> requests.add(content(text, dimensions).put("model", "models/" + model)));
            answer = transport.post(call, endpoint.modelUrl(call, "batchEmbedContents"), request);
            answer.path("embeddings").forEach(e -> vectors.add(e.path("values")));
        }
        long tokens = answer.path("usageMetadata").path("promptTokenCount").asLong(estimate(texts));
        byte[] body = OpenAiWire.embeddings(vectors, model, tokens, call.body().path("encoding_format").asText(""));
        return new EmbeddingResponse(body, TokenUsage.reported(tokens, 0, 0));
    }

    /** About one token per four characters, at least one per input. */
    public static long estimate(List<String> texts) {
        return texts.stream().mapToLong(t -> Math.max(1, (t.length() + 3) / 4)).sum();
    }

    private static ObjectNode content(String text, JsonNode dimensions) {
        ObjectNode request = GoogleTransport.JSON.createObjectNode();
        request.putObject("content").putArray("parts").addObject().put("text", text);
        if (dimensions.isNumber()) {
            request.put("outputDimensionality", dimensions.asInt());
        }
        return request;
    }
}
