package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.GatewayError;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;

/** The one place that writes gateway errors to clients: the OpenAI error envelope. */
final class ErrorWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    static void write(ServerResponse res, GatewayError error) {
        res.status(Status.create(error.status()));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        error.retryAfterSeconds().ifPresent(s -> res.header(HeaderNames.RETRY_AFTER, Long.toString(s)));
        res.send(envelope(error));
    }
}
