package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * Google's embeddings answers: AI Studio {@code embedContent} ({@code {"embedding":{"values"}}}) and
 * {@code batchEmbedContents} ({@code {"embeddings":[...]}}, each request naming {@code models/<model>}
 * like the path, else 400), and Vertex {@code predict} ({@code predictions[].embeddings.values} with
 * {@code statistics.token_count}). A vector is {@code [length of the text, dimensions or 3]}.
 */
final class FakeGoogleEmbeddings {

    private FakeGoogleEmbeddings() {
    }

    static void answer(HttpExchange ex, String method, String model, JsonNode body) throws IOException {
        ObjectNode out = FakeGeminiModel.JSON.createObjectNode();
        switch (method) {
            case "embedContent" -> out.set("embedding", vector(body));
            case "batchEmbedContents" -> {
                ArrayNode embeddings = out.putArray("embeddings");
                for (JsonNode request : body.path("requests")) {
                    if (!request.path("model").asText().equals("models/" + model)) {
                        FakeGoogle.error(ex, 400, "INVALID_ARGUMENT", "Model name in the request must match the "
                                + "model in the URL.", "");
                        return;
                    }
                    embeddings.add(vector(request));
                }
            }
            default -> {
                ArrayNode predictions = out.putArray("predictions");
                for (JsonNode instance : body.path("instances")) {
                    String text = instance.path("content").asText();
                    ObjectNode embeddings = predictions.addObject().putObject("embeddings");
                    embeddings.putObject("statistics").put("truncated", false).put("token_count", text.length());
                    embeddings.putArray("values").add(text.length()).add(0.5);
                }
            }
        }
        FakeGoogle.send(ex, 200, "application/json", out.toString());
    }

    private static ObjectNode vector(JsonNode request) {
        String text = request.path("content").path("parts").path(0).path("text").asText();
        ObjectNode embedding = FakeGeminiModel.JSON.createObjectNode();
        embedding.putArray("values").add(text.length()).add(request.path("outputDimensionality").asInt(3));
        return embedding;
    }
}
