package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * OpenAI embeddings through Bedrock InvokeModel, for the two request shapes Bedrock's embedding models take: Titan
 * ({@code {"inputText"}} per input, one call each) and Cohere ({@code {"texts":[...],"input_type"}}, up to 96 texts a
 * call). Answers are assembled into an OpenAI embedding list with usage.
 */
final class EmbeddingMapping {

    private static final System.Logger LOG = System.getLogger(EmbeddingMapping.class.getName());
    private static final int COHERE_BATCH = 96;
    private static final Set<String> TITAN_FIELDS = Set.of("model", "input", "encoding_format", "dimensions", "user");
    private static final Set<String> COHERE_FIELDS = Set.of("model", "input", "encoding_format", "input_type", "user");

    private enum Family { TITAN, COHERE }

    private EmbeddingMapping() {
    }

    static ObjectNode embed(ProviderCall call, BedrockSettings s, BedrockHttp http) {
        String model = call.deployment().getModel();
        Family family = model.contains("amazon.titan-embed") ? Family.TITAN
                : model.contains("cohere.embed") ? Family.COHERE : null;
        if (family == null) {
            throw new GatewayError(400, "invalid_request_error", "unsupported_operation", call.target().describe()
                    + ": bedrock embeddings support amazon.titan-embed-* and cohere.embed-* models, not '" + model
                    + "'.").exception();
        }
        ObjectNode body = call.body();
        if (body.has("user")) {
            LOG.log(System.Logger.Level.DEBUG, () -> "request " + call.requestId()
                    + ": 'user' is not sent to bedrock embeddings (InvokeModel has no field for it)");
        }
        UnsupportedParams.enforce(call, body, family == Family.TITAN ? TITAN_FIELDS : COHERE_FIELDS);
        String format = body.path("encoding_format").asText("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw Failures.badField("encoding_format", "encoding_format must be float or base64.").exception();
        }
        List<String> texts = texts(body.path("input"));
        List<JsonNode> vectors = new ArrayList<>();
        long tokens = family == Family.TITAN ? titan(call, s, http, texts, vectors) : cohere(call, s, http, texts,
                vectors);

        ObjectNode out = BedrockAdapter.JSON.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (format.equals("base64")) {
                item.put("embedding", base64(vectors.get(i)));
            } else {
                item.set("embedding", vectors.get(i));
            }
        }
        out.put("model", model);
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return out;
    }

    static TokenUsage usage(ObjectNode response) {
        return TokenUsage.reported(response.path("usage").path("prompt_tokens").asLong(0), 0, 0);
    }

    private static long titan(ProviderCall call, BedrockSettings s, BedrockHttp http, List<String> texts,
                              List<JsonNode> vectors) {
        long tokens = 0;
        for (String text : texts) {
            ObjectNode request = BedrockAdapter.JSON.createObjectNode().put("inputText", text);
            if (call.body().path("dimensions").isNumber()) {
                request.put("dimensions", call.body().path("dimensions").asInt());
            }
            JsonNode answer = invoke(call, s, http, request);
            JsonNode vector = answer.path("embedding");
            if (!vector.isArray()) {
                throw BedrockErrors.badResponse(call, "answered without an 'embedding' array").exception();
            }
            vectors.add(vector);
            tokens = TokenUsage.sum(tokens, answer.path("inputTextTokenCount").asLong(0));
        }
        return tokens;
    }

    private static long cohere(ProviderCall call, BedrockSettings s, BedrockHttp http, List<String> texts,
                               List<JsonNode> vectors) {
        String inputType = call.body().path("input_type").asText(call.param("input_type", "search_document"));
        long tokens = 0;
        for (int from = 0; from < texts.size(); from += COHERE_BATCH) {
            ObjectNode request = BedrockAdapter.JSON.createObjectNode().put("input_type", inputType);
            ArrayNode batch = request.putArray("texts");
            texts.subList(from, Math.min(texts.size(), from + COHERE_BATCH)).forEach(batch::add);
            HttpResponse<byte[]> response = http.post(call, s, s.uri(call, "invoke"), BedrockAdapter.bytes(request));
            JsonNode embeddings = BedrockHttp.json(call, response).path("embeddings");
            if (!embeddings.isArray() || embeddings.size() != batch.size()) {
                throw BedrockErrors.badResponse(call, "answered without one 'embeddings' entry per text").exception();
            }
            embeddings.forEach(vectors::add);
            // Cohere's body has no token count; InvokeModel reports it in a header.
            tokens = TokenUsage.sum(tokens, response.headers().firstValue("x-amzn-bedrock-input-token-count")
                    .map(EmbeddingMapping::count).orElse(0L));
        }
        return tokens;
    }

    private static JsonNode invoke(ProviderCall call, BedrockSettings s, BedrockHttp http, ObjectNode request) {
        return BedrockHttp.json(call, http.post(call, s, s.uri(call, "invoke"), BedrockAdapter.bytes(request)));
    }

    private static List<String> texts(JsonNode input) {
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.asText());
            return texts;
        }
        for (JsonNode item : input) {
            if (!item.isTextual()) {
                throw Failures.badField("input", "bedrock embeddings take text: 'input' must be a string or a list "
                        + "of strings, not token arrays.").exception();
            }
            texts.add(item.asText());
        }
        return texts;
    }

    private static long count(String header) {
        try {
            return Math.max(0, Long.parseLong(header.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** OpenAI's base64 encoding: little-endian float32s. */
    private static String base64(JsonNode vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        vector.forEach(x -> buffer.putFloat((float) x.asDouble()));
        return Base64.getEncoder().encodeToString(buffer.array());
    }
}
