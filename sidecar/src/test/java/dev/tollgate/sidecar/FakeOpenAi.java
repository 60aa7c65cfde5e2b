package dev.tollgate.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A fake OpenAI Chat Completions endpoint on loopback that speaks OpenAI's wire format: it
 * checks {@code Authorization: Bearer <key>} and answers 401 with OpenAI's own error body
 * otherwise; it answers non-streamed requests with a {@code chat.completion} and streamed ones
 * with {@code chat.completion.chunk} events, {@code "usage":null} on each and a final usage-only
 * chunk when {@code stream_options.include_usage} is true, as OpenAI does. Records what it received.
 */
final class FakeOpenAi implements AutoCloseable {

    /** OpenAI's answer to a wrong key, verbatim (it quotes a masked form of the key). */
    static final String INVALID_KEY_BODY = "{\"error\":{\"message\":\"Incorrect API key provided: sk-abc***wxyz. "
            + "You can find your API key at https://platform.openai.com/account/api-keys.\","
            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";
    static final String MASKED_KEY = "sk-abc***wxyz";
    static final String CONTENT = "Hello from the fake";
    static final long PROMPT_TOKENS = 11;
    static final long COMPLETION_TOKENS = 4;
    static final long CACHED_TOKENS = 3;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PIECES = List.of("Hello", " from", " the", " fake");

    /** What one request carried. */
    record Received(String authorization, JsonNode body) {
    }

    final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();
    private final String expectedKey;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer server;

    private FakeOpenAi(String expectedKey) throws IOException {
        this.expectedKey = expectedKey;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FakeOpenAi start(String expectedKey) throws IOException {
        return new FakeOpenAi(expectedKey);
    }

    /** The value a deployment's {@code api_base} takes to reach this fake. */
    String apiBase() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The {@code data:} payloads a stream for {@code model} carries, in order, before {@code [DONE]}. */
    static List<String> streamEvents(String model, boolean includeUsage) {
        List<String> events = new ArrayList<>();
        events.add(chunk(model, JSON.createObjectNode().put("role", "assistant").put("content", ""), null, includeUsage));
        for (String piece : PIECES) {
            events.add(chunk(model, JSON.createObjectNode().put("content", piece), null, includeUsage));
        }
        events.add(chunk(model, JSON.createObjectNode(), "stop", includeUsage));
        if (includeUsage) {
            ObjectNode last = base(model);
            last.putArray("choices");
            last.set("usage", usage());
            events.add(text(last));
        }
        return events;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            JsonNode body = JSON.readTree(raw);
            requests.add(new Received(authorization, body));
            exchange.getResponseHeaders().set("x-request-id", "req_fake");
            if (!("Bearer " + expectedKey).equals(authorization)) {
                respond(exchange, 401, "application/json", INVALID_KEY_BODY.getBytes(StandardCharsets.UTF_8));
                return;
            }
            String model = body.path("model").asText();
            if (body.path("stream").asBoolean(false)) {
                stream(exchange, model, body.path("stream_options").path("include_usage").asBoolean(false));
            } else {
                respond(exchange, 200, "application/json", completion(model).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void stream(HttpExchange exchange, String model, boolean includeUsage) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String event : streamEvents(model, includeUsage)) {
            out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static String completion(String model) {
        ObjectNode root = JSON.createObjectNode()
                .put("id", "chatcmpl-fake1")
                .put("object", "chat.completion")
                .put("created", 1_700_000_000)
                .put("model", model)
                .put("system_fingerprint", "fp_fake");
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", CONTENT).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        root.set("usage", usage());
        return text(root);
    }

    private static ObjectNode base(String model) {
        return JSON.createObjectNode()
                .put("id", "chatcmpl-fake1")
                .put("object", "chat.completion.chunk")
                .put("created", 1_700_000_000)
                .put("model", model)
                .put("system_fingerprint", "fp_fake");
    }

    private static String chunk(String model, ObjectNode delta, String finishReason, boolean includeUsage) {
        ObjectNode chunk = base(model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return text(chunk);
    }

    private static ObjectNode usage() {
        ObjectNode usage = JSON.createObjectNode()
                .put("prompt_tokens", PROMPT_TOKENS)
                .put("completion_tokens", COMPLETION_TOKENS)
                .put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
        usage.putObject("prompt_tokens_details").put("cached_tokens", CACHED_TOKENS);
        return usage;
    }

    private static String text(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
