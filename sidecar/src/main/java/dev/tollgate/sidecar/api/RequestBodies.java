package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.sidecar.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body as a JSON object with hostile input in mind: a size cap (413 before the
 * body is read when Content-Length says so, else while reading), nesting and number-length caps,
 * invalid UTF-8 and duplicate keys refused — each as a 400/413 in the OpenAI envelope. Thread-safe.
 */
final class RequestBodies {

    /** Largest accepted body: generous for base64 images and documents, bounded for the heap. */
    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    static final ObjectMapper JSON = JsonMapper.builder(Json.factory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(128)
                .maxNumberLength(100)
                .maxStringLength(MAX_BODY_BYTES)
                .build());
    }

    private RequestBodies() {
    }

    static ObjectNode readJsonObject(ServerRequest req) {
        return readJsonObject(req, ServerLimits.DEFAULT.bodyDeadline());
    }

    /** @param deadline longest the whole body may take to arrive (408 {@code request_timeout} after it) */
    static ObjectNode readJsonObject(ServerRequest req, java.time.Duration deadline) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > MAX_BODY_BYTES) {
            throw tooLarge(declared).exception();
        }
        byte[] bytes;
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        // Grace before the watchdog cuts a silent client: enough for a trickler's last read to return first.
        long graceNanos = Math.min(deadline.toNanos(), java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
        try (InputStream in = new DeadlineInputStream(req.content().hasEntity() ? req.content().inputStream()
                : InputStream.nullInputStream(), deadlineNanos, graceNanos)) {
            // With a Content-Length, read into an exactly sized array (most bodies are small); else read
            // up to one byte past the cap to detect an oversized chunked body.
            bytes = declared >= 0 ? readExactly(in, (int) declared) : in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (DeadlineInputStream.Expired e) {
            throw timedOut(deadline).exception();
        } catch (IOException | RuntimeException e) {
            // Helidon wraps socket failures in its own runtime exceptions.
            if (System.nanoTime() - deadlineNanos > 0) {
                // The watchdog cut a silent client: its interrupt is spent, the socket is closed.
                Thread.interrupted();
                throw timedOut(deadline).exception();
            }
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw tooLarge(-1).exception();
        }
        return parse(bytes);
    }

    /** The body as a JSON object, or a 400 {@code invalid_json} saying what is wrong with it. */
    static ObjectNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw Failures.malformedJson("the body is empty; send a JSON object").exception();
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw Failures.malformedJson(e.getOriginalMessage() + where).exception();
        } catch (IOException e) {
            throw Failures.malformedJson("unreadable body").exception();
        }
        if (node == null || !node.isObject()) {
            throw Failures.malformedJson("expected a JSON object at the top level").exception();
        }
        return (ObjectNode) node;
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int read = in.readNBytes(bytes, 0, length);
        return read == length ? bytes : java.util.Arrays.copyOf(bytes, read);
    }

    private static GatewayError timedOut(java.time.Duration deadline) {
        return new GatewayError(408, "invalid_request_error", "request_timeout",
                "The request body did not arrive within " + deadline.toSeconds() + " s (or the client went silent);"
                        + " the sidecar closed the connection. Send the body at once, or check the client's network.");
    }

    private static GatewayError tooLarge(long declared) {
        return new GatewayError(413, "invalid_request_error", "request_too_large",
                "Request body " + (declared > 0 ? "of " + declared + " bytes " : "") + "exceeds the sidecar's limit of "
                        + MAX_BODY_BYTES + " bytes; send large files by reference or split the request.");
    }

}
