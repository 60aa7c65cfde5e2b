package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Bedrock Runtime stand-in on loopback: verifies every request's SigV4 signature ({@link SigV4Verifier}), validates
 * Converse bodies as Bedrock does ({@link ConverseValidator}), and answers with the documented Converse, ConverseStream
 * (real eventstream framing) and InvokeModel shapes, or with what a test scripts through {@link #answers}.
 */
final class FakeBedrock implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A request that passed authentication: the operation, the decoded model id and the JSON body. */
    record Received(String action, String modelId, String rawPath, Map<String, List<String>> headers, JsonNode body) {
    }

    /** What to answer. */
    sealed interface Answer permits Json, Stream {
    }

    /** A JSON answer; a non-null errorType goes into {@code x-amzn-ErrorType}. */
    record Json(int status, String errorType, String body, Map<String, String> headers) implements Answer {
    }

    /** An eventstream answer, written step by step. */
    record Stream(List<Step> steps) implements Answer {
    }

    sealed interface Step permits Frame, Await {
    }

    /** Bytes written and flushed as one piece (normally one encoded message). */
    record Frame(byte[] bytes) implements Step {
    }

    /** Hold the stream until the test lets it go on. */
    record Await(CountDownLatch latch) implements Step {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile Function<Received, Answer> answers = FakeBedrock::documented;
    private final SigV4Verifier verifier = new SigV4Verifier();
    private final HttpServer server;

    FakeBedrock() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Received last() {
        return received.get(received.size() - 1);
    }

    static Json error(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("message", message);
        return new Json(status, type, body.toString(), Map.of());
    }

    static Json ok(String body) {
        return new Json(200, null, body, Map.of());
    }

    static Stream stream(byte[]... frames) {
        List<Step> steps = new ArrayList<>();
        for (byte[] f : frames) {
            steps.add(new Frame(f));
        }
        return new Stream(steps);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            byte[] body = ex.getRequestBody().readAllBytes();
            String rawPath = ex.getRequestURI().getRawPath();
            String[] parts = rawPath.split("/");
            if (!"POST".equals(ex.getRequestMethod()) || parts.length != 4 || !parts[1].equals("model")) {
                write(ex, error(404, "UnknownOperationException", "Unknown operation"));
                return;
            }
            Optional<Json> refused = verifier.verify(ex, body);
            if (refused.isPresent()) {
                write(ex, refused.get());
                return;
            }
            JsonNode json;
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                write(ex, error(400, "ValidationException", "Malformed input request, please reformat your input "
                        + "and try again."));
                return;
            }
            String action = parts[3];
            if (action.startsWith("converse")) {
                Optional<String> invalid = ConverseValidator.validate(json);
                if (invalid.isPresent()) {
                    write(ex, error(400, "ValidationException", invalid.get()));
                    return;
                }
            }
            Received r = new Received(action, URLDecoder.decode(parts[2], StandardCharsets.UTF_8), rawPath,
                    Map.copyOf(ex.getRequestHeaders()), json);
            received.add(r);
            Answer answer = answers.apply(r);
            switch (answer) {
                case Json j -> write(ex, j);
                case Stream s -> writeStream(ex, s);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private static void write(HttpExchange ex, Json j) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("x-amzn-RequestId", "fake-request-0001");
        if (j.errorType() != null) {
            ex.getResponseHeaders().set("x-amzn-ErrorType",
                    j.errorType() + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
        }
        j.headers().forEach(ex.getResponseHeaders()::set);
        byte[] bytes = j.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(j.status(), bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void writeStream(HttpExchange ex, Stream s) throws IOException, InterruptedException {
        ex.getResponseHeaders().set("Content-Type", "application/vnd.amazon.eventstream");
        ex.getResponseHeaders().set("x-amzn-RequestId", "fake-request-0001");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        for (Step step : s.steps()) {
            switch (step) {
                case Frame f -> {
                    out.write(f.bytes());
                    out.flush();
                }
                case Await a -> {
                    if (!a.latch().await(10, TimeUnit.SECONDS)) {
                        return;
                    }
                }
            }
        }
    }

    /** The documented answer for each operation when a test scripts nothing else. */
    static Answer documented(Received r) {
        return switch (r.action()) {
            case "converse" -> ok("""
                    {"output":{"message":{"role":"assistant","content":[{"text":"Hello from Bedrock."}]}},
                     "stopReason":"end_turn",
                     "usage":{"inputTokens":12,"outputTokens":5,"totalTokens":17},
                     "metrics":{"latencyMs":42}}""");
            case "converse-stream" -> stream(
                    EventStreamEncoder.event("messageStart", "{\"p\":\"abcd\",\"role\":\"assistant\"}"),
                    EventStreamEncoder.event("contentBlockDelta",
                            "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hello\"},\"p\":\"abcdefgh\"}"),
                    EventStreamEncoder.event("contentBlockDelta",
                            "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" from\"},\"p\":\"ab\"}"),
                    EventStreamEncoder.event("contentBlockDelta",
                            "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" Bedrock.\"},\"p\":\"abc\"}"),
                    EventStreamEncoder.event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"abcdef\"}"),
                    EventStreamEncoder.event("messageStop", "{\"stopReason\":\"end_turn\",\"p\":\"abcdefghij\"}"),
                    EventStreamEncoder.event("metadata", "{\"usage\":{\"inputTokens\":12,\"outputTokens\":5,"
                            + "\"totalTokens\":17},\"metrics\":{\"latencyMs\":42},\"p\":\"abcdefghijkl\"}"));
            case "invoke" -> r.modelId().contains("titan-embed") ? titan(r.body()) : cohere(r.body());
            default -> error(404, "UnknownOperationException", "Unknown operation " + r.action());
        };
    }

    private static Answer titan(JsonNode body) {
        String text = body.path("inputText").asText("");
        if (text.isEmpty()) {
            return error(400, "ValidationException", "Malformed input request: required key [inputText] not found");
        }
        int dimensions = body.path("dimensions").asInt(1024);
        if (dimensions != 256 && dimensions != 512 && dimensions != 1024) {
            return error(400, "ValidationException", "Malformed input request: #/dimensions: " + dimensions
                    + " is not a valid enum value");
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("embedding", vector(text, dimensions));
        out.put("inputTextTokenCount", text.split(" ").length);
        return ok(out.toString());
    }

    private static Answer cohere(JsonNode body) {
        JsonNode texts = body.path("texts");
        String inputType = body.path("input_type").asText("");
        if (!texts.isArray() || texts.isEmpty() || texts.size() > 96 || !List.of("search_document", "search_query",
                "classification", "clustering").contains(inputType)) {
            return error(400, "ValidationException", "Malformed input request: texts (1-96) and a valid input_type "
                    + "are required");
        }
        ObjectNode out = JSON.createObjectNode().put("id", "emb-fake-1").put("response_type", "embeddings_floats");
        out.set("texts", texts);
        ArrayNode embeddings = out.putArray("embeddings");
        int tokens = 0;
        for (JsonNode t : texts) {
            embeddings.add(vector(t.asText(), 1024));
            tokens += t.asText().split(" ").length;
        }
        return new Json(200, null, out.toString(), Map.of("X-Amzn-Bedrock-Input-Token-Count", Integer.toString(tokens)));
    }

    /** A deterministic vector whose first element is the text's length, so tests can tell inputs apart. */
    static ArrayNode vector(String text, int dimensions) {
        ArrayNode v = JSON.createArrayNode();
        v.add((double) text.length());
        for (int i = 1; i < dimensions; i++) {
            v.add(0.25);
        }
        return v;
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
