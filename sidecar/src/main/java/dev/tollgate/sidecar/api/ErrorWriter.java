package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.anthropic.AnthropicErrors;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;

/**
 * The one place that writes gateway errors to clients: the OpenAI error envelope, or Anthropic's on the
 * Anthropic-compatible route ({@link Shape}).
 */
final class ErrorWriter {

    /** Which API's error envelope a route answers with; the HTTP status is the same either way. */
    enum Shape {
        OPENAI,
        ANTHROPIC
    }

    private static final ObjectMapper JSON = Json.mapper();

    private ErrorWriter() {
    }

    static byte[] envelope(GatewayError error) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error")
                .put("message", error.message())
                .put("type", error.type())
                .put("param", error.param())
                .put("code", error.code());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    static byte[] envelope(GatewayError error, Shape shape) {
        return switch (shape) {
            case OPENAI -> envelope(error);
            case ANTHROPIC -> AnthropicErrors.envelope(error);
        };
    }

    static void write(ServerResponse res, GatewayError error) {
        write(res, error, Shape.OPENAI);
    }

    static void write(ServerResponse res, GatewayError error, Shape shape) {
        res.status(Status.create(error.status()));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        error.retryAfterSeconds().ifPresent(s -> res.header(HeaderNames.RETRY_AFTER, Long.toString(s)));
        boolean close = error.status() == 408 || error.status() == 431;
        if (close) {
            res.header(HeaderNames.CONNECTION, "close");
        }
        res.send(envelope(error, shape));
        if (close) {
            // What follows a timed-out body or oversized headers cannot be trusted to start a next
            // request; Helidon keeps the connection open despite the header unless told this way.
            throw new CloseConnectionException("closed after " + error.status() + " " + error.code());
        }
    }
}
