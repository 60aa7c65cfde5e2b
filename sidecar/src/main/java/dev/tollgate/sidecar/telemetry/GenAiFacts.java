package dev.tollgate.sidecar.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What one request tells about the model call, for the OpenTelemetry GenAI attributes: the
 * operation, the sampling parameters the client set, and the response id, model and finish
 * reasons. Stream chunks are scanned cheaply: only the first chunk and chunks that carry a
 * finish reason are parsed. Confined to the request's thread.
 */
public final class GenAiFacts {

    private static final ObjectMapper JSON = Json.mapper();
    private static final byte[] FINISH = "\"finish_reason\":\"".getBytes(StandardCharsets.US_ASCII);

    private String operation = "chat";
    private Long maxTokens;
    private Double temperature;
    private Double topP;
    private String responseId = "";
    private String responseModel = "";
    private final Set<String> finishReasons = new LinkedHashSet<>();
    private boolean sawChunk;

    public void operation(String name) {
        operation = name;
    }

    /** Reads the sampling parameters of an OpenAI request body (before it is rewritten). */
    public void request(JsonNode body) {
        JsonNode max = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        if (max != null && max.isIntegralNumber()) {
            maxTokens = max.asLong();
        }
        if (body.path("temperature").isNumber()) {
            temperature = body.get("temperature").asDouble();
        }
        if (body.path("top_p").isNumber()) {
            topP = body.get("top_p").asDouble();
        }
    }

    /**
     * Reads id, model and finish reasons of a complete OpenAI response body, from {@code parsed}
     * when the adapter already has it as a tree (null: parse {@code body}).
     */
    public void response(byte[] body, JsonNode parsed) {
        if (parsed != null) {
            read(parsed);
        } else {
            response(body);
        }
    }

    /** Reads id, model and finish reasons of a complete OpenAI response body. */
    public void response(byte[] body) {
        try {
            read(JSON.readTree(body));
        } catch (IOException e) {
            // not JSON: nothing to learn
        }
    }

    /** Reads an OpenAI stream chunk; cheap unless it is the first or carries a finish reason. */
    public void chunk(byte[] chunk) {
        if (sawChunk && indexOf(chunk, FINISH) < 0) {
            return;
        }
        sawChunk = true;
        response(chunk);
    }

    private void read(JsonNode node) {
        if (node == null) {
            return;
        }
        if (responseId.isEmpty() && node.path("id").isTextual()) {
            responseId = node.get("id").asText();
        }
        if (responseModel.isEmpty() && node.path("model").isTextual()) {
            responseModel = node.get("model").asText();
        }
        for (JsonNode choice : node.path("choices")) {
            if (choice.path("finish_reason").isTextual()) {
                finishReasons.add(choice.get("finish_reason").asText());
            }
        }
    }

    /** Copies the facts into a usage record. */
    public void into(UsageRecord.Builder record) {
        record.setOperation(operation).setResponseId(responseId).setResponseModel(responseModel)
                .addAllFinishReasons(finishReasons);
        if (maxTokens != null) {
            record.setRequestMaxTokens(maxTokens);
        }
        if (temperature != null) {
            record.setRequestTemperature(temperature);
        }
        if (topP != null) {
            record.setRequestTopP(topP);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
