package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** Checks that a response is the OpenAI error envelope with the expected status, type, code and param. */
final class Envelope {

    private Envelope() {
    }

    /** Asserts the envelope and returns its message. {@code param} null means JSON null. */
    static String assertError(HttpResponse<String> response, int status, String type, String code, String param) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                response.headers().toString());
        JsonNode root = Sidecar.json(response.body());
        JsonNode error = root.path("error");
        List<String> fields = new ArrayList<>();
        error.fieldNames().forEachRemaining(fields::add);
        assertAll(
                () -> assertEquals(List.of("error"), names(root)),
                () -> assertEquals(List.of("message", "type", "param", "code"), fields),
                () -> assertEquals(type, error.path("type").asText()),
                () -> assertEquals(code, error.path("code").asText()),
                () -> {
                    if (param == null) {
                        assertTrue(error.path("param").isNull(), response.body());
                    } else {
                        assertEquals(param, error.path("param").asText());
                    }
                });
        return error.path("message").asText();
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
