package dev.tollgate.sidecar.provider.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderAdapter.EmbeddingResponse;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.provider.UnsupportedParams;
import dev.tollgate.sidecar.provider.gemini.GeminiEmbeddings;
import dev.tollgate.sidecar.provider.gemini.GoogleEndpoint;
import dev.tollgate.sidecar.provider.gemini.GoogleTransport;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Vertex AI: {@code https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/
 * {location}/publishers/google/models/{model}:{method}} ({@code aiplatform.googleapis.com} for the
 * {@code global} location; {@code api_base} replaces the host). Deployment params
 * {@code vertex_project} (required) and {@code vertex_location} (default {@code us-central1}), as
 * LiteLLM names them. The credential is an OAuth access token sent as {@code Authorization:
 * Bearer}; the control plane pushes it as the deployment's {@code api_key}. Immutable.
 */
public final class VertexEndpoint implements GoogleEndpoint {

    private static final ObjectMapper JSON = Json.mapper();
    private static final String BEARER = "Bearer ";

    @Override
    public String base(ProviderCall call) {
        String base = call.deployment().getApiBase();
        if (!base.isEmpty()) {
            return GoogleEndpoint.trimmed(base);
        }
        String location = location(call);
        return location.equals("global") ? "https://aiplatform.googleapis.com"
                : "https://" + location + "-aiplatform.googleapis.com";
    }

    @Override
    public String modelUrl(ProviderCall call, String method) {
        String project = call.param("vertex_project", "");
        if (project.isEmpty()) {
            throw new GatewayError(500, "configuration_error", "missing_vertex_project", call.target().describe()
                    + " has no vertex_project, which Vertex AI requires. Set litellm_params.vertex_project (your Google "
                    + "Cloud project id) in the control plane config.", "vertex_project", Optional.empty()).exception();
        }
        String location = location(call);
        return base(call) + "/v1/projects/" + project + "/locations/" + location + "/publishers/google/models/"
                + call.deployment().getModel() + ":" + method;
    }

    @Override
    public void authorize(ProviderCall call, HttpRequest.Builder request) {
        String token = call.deployment().getApiKey();
        if (!token.isEmpty()) {
            request.header("Authorization", token.startsWith(BEARER) ? token : BEARER + token);
        }
    }

    /** Vertex text embeddings: {@code :predict} with one instance per input. */
    @Override
    public EmbeddingResponse embed(ProviderCall call, GoogleTransport transport) {
        UnsupportedParams.enforce(call, call.body(), GeminiEmbeddings.SUPPORTED);
        List<String> texts = OpenAiWire.embeddingTexts(call);
        ObjectNode request = JSON.createObjectNode();
        ArrayNode instances = request.putArray("instances");
        texts.forEach(text -> instances.addObject().put("content", text));
        if (call.body().path("dimensions").isNumber()) {
            request.putObject("parameters").put("outputDimensionality", call.body().path("dimensions").asInt());
        }
        JsonNode answer = transport.post(call, modelUrl(call, "predict"), request);
        List<JsonNode> vectors = new ArrayList<>();
        long tokens = 0;
        for (JsonNode prediction : answer.path("predictions")) {
            vectors.add(prediction.path("embeddings").path("values"));
            tokens = TokenUsage.sum(tokens,
                    prediction.path("embeddings").path("statistics").path("token_count").asLong(0));
        }
        byte[] body = OpenAiWire.embeddings(vectors, call.deployment().getModel(), tokens,
                call.body().path("encoding_format").asText(""));
        return new EmbeddingResponse(body, TokenUsage.reported(tokens, 0, 0));
    }

    private static String location(ProviderCall call) {
        return call.param("vertex_location", "us-central1");
    }
}
