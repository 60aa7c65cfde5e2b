package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The package's one JSON mapper and the few tree helpers every table uses. Thread-safe. */
final class Json {

    static final ObjectMapper MAPPER = dev.tollgate.sidecar.Json.mapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** The text of a string, or of a list of {@code {type: text, text}} parts joined; "" otherwise. */
    static String text(JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode part : content) {
            if (part.isTextual()) {
                out.append(part.asText());
            } else if (part.path("text").isTextual()) {
                out.append(part.path("text").asText());
            } else if (part.path("refusal").isTextual()) {
                out.append(part.path("refusal").asText());
            }
        }
        return out.toString();
    }

    /** Parses a tool call's {@code arguments} string; empty means no arguments. Null when it is not a JSON object. */
    static ObjectNode argumentsObject(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return object();
        }
        try {
            JsonNode node = MAPPER.readTree(arguments);
            return node != null && node.isObject() ? (ObjectNode) node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
