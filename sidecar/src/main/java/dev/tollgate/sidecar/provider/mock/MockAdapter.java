package dev.tollgate.sidecar.provider.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.time.Duration;

/**
 * The built-in {@code mock/<name>} provider: deterministic answers with token usage, streamed or
 * not, after a configurable delay, so a whole stack runs with no network and no provider account.
 * Deployment params: {@code mock_response} (fixed content), {@code mock_latency_ms} (before the
 * answer or first chunk), {@code mock_chunk_delay_ms} (between stream chunks). Thread-safe.
 */
public final class MockAdapter implements ProviderAdapter {

    private static final ObjectMapper JSON = Json.mapper();

    @Override
    public ChatResponse chat(ProviderCall call) {
        String content = content(call);
        TokenUsage usage = usage(call.body(), content);
        pause(call, "mock_latency_ms");
        ObjectNode response = JSON.createObjectNode()
                .put("id", "chatcmpl-mock-" + call.requestId())
                .put("object", "chat.completion")
                .put("created", 0)
                .put("model", call.deployment().getModel());
        ObjectNode choice = response.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", "stop");
        response.set("usage", usageNode(usage));
        return new ChatResponse(bytes(response), usage, response);
    }

    @Override
    public TokenUsage streamChat(ProviderCall call, ChunkSink sink) throws IOException {
        String content = content(call);
        TokenUsage usage = usage(call.body(), content);
        pause(call, "mock_latency_ms");
        sink.chunk(bytes(chunk(call, JSON.createObjectNode().put("role", "assistant").put("content", ""), null)));
        String[] words = content.split(" ");
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                pause(call, "mock_chunk_delay_ms");
            }
            String piece = i == 0 ? words[i] : " " + words[i];
            sink.chunk(bytes(chunk(call, JSON.createObjectNode().put("content", piece), null)));
        }
        sink.chunk(bytes(chunk(call, JSON.createObjectNode(), "stop")));
        if (call.clientWantsUsage()) {
            ObjectNode last = base(call);
            last.putArray("choices");
            last.set("usage", usageNode(usage));
            sink.chunk(bytes(last));
        }
        return usage;
    }

    /**
     * Eight-dimensional unit vectors derived from each input's text: same text, same vector. Honours
     * {@code encoding_format: base64}, which the OpenAI SDKs ask for by default.
     */
    @Override
    public EmbeddingResponse embed(ProviderCall call) {
        pause(call, "mock_latency_ms");
        JsonNode input = call.body().path("input");
        java.util.List<String> texts = new java.util.ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.asText());
        } else {
            input.forEach(item -> texts.add(item.isTextual() ? item.asText() : item.toString()));
        }
        java.util.List<JsonNode> vectors = new java.util.ArrayList<>();
        long tokens = 0;
        for (String text : texts) {
            ArrayNode vector = JSON.createArrayNode();
            java.util.Random seeded = new java.util.Random(text.hashCode());
            double[] v = new double[8];
            double norm = 0;
            for (int d = 0; d < v.length; d++) {
                v[d] = seeded.nextGaussian();
                norm += v[d] * v[d];
            }
            for (double x : v) {
                vector.add(x / Math.sqrt(norm));
            }
            vectors.add(vector);
            tokens += 1 + text.length() / 4;
        }
        byte[] body = OpenAiWire.embeddings(vectors, call.deployment().getModel(), tokens,
                call.body().path("encoding_format").asText(""));
        return new EmbeddingResponse(body, new TokenUsage(tokens, 0, 0));
    }

    private static String content(ProviderCall call) {
        String fixed = call.param("mock_response", "");
        if (!fixed.isEmpty()) {
            return fixed;
        }
        String said = lastUserText(call.body().path("messages"));
        if (said.length() > 60) {
            said = said.substring(0, 60) + "...";
        }
        return "This is a mock response from " + call.deployment().getModel() + ". You said: " + said;
    }

    private static String lastUserText(JsonNode messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                return text(m.path("content"));
            }
        }
        return "";
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText())) {
                out.append(part.path("text").asText());
            }
        }
        return out.toString();
    }

    /** Deterministic counts: about one token per four characters, at least one per message. */
    private static TokenUsage usage(JsonNode body, String completion) {
        long prompt = 0;
        for (JsonNode m : body.path("messages")) {
            prompt += 1 + text(m.path("content")).length() / 4;
        }
        return new TokenUsage(prompt, Math.max(1, completion.split(" ").length), 0);
    }

    private static ObjectNode usageNode(TokenUsage usage) {
        return JSON.createObjectNode()
                .put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.promptTokens() + usage.completionTokens());
    }

    private static ObjectNode base(ProviderCall call) {
        return JSON.createObjectNode()
                .put("id", "chatcmpl-mock-" + call.requestId())
                .put("object", "chat.completion.chunk")
                .put("created", 0)
                .put("model", call.deployment().getModel());
    }

    private static ObjectNode chunk(ProviderCall call, ObjectNode delta, String finishReason) {
        ObjectNode chunk = base(call);
        ArrayNode choices = chunk.putArray("choices");
        ObjectNode choice = choices.addObject().put("index", 0);
        choice.set("delta", delta);
        choice.put("finish_reason", finishReason);
        return chunk;
    }

    private static void pause(ProviderCall call, String param) {
        long ms;
        try {
            ms = Long.parseLong(call.param(param, "0"));
        } catch (NumberFormatException e) {
            ms = 0;
        }
        if (ms > 0) {
            try {
                Thread.sleep(Duration.ofMillis(ms));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
