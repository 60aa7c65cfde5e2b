package dev.tollgate.sdktests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A fake OpenAI Chat Completions upstream on loopback that answers deterministically in the documented
 * wire format, streamed (SSE, {@code stream_options.include_usage} honoured) or not. It checks the
 * Bearer key like the real API (401 with OpenAI's own body, which quotes part of the key), and chooses
 * its answer from the request:
 * <ul>
 *   <li>model {@value #RATE_LIMITED_MODEL}: 429 {@code rate_limit_exceeded} with {@code Retry-After: 7};</li>
 *   <li>model {@value #FAILING_MODEL}: 500 {@code server_error};</li>
 *   <li>{@code tools} given and the last message is not a tool result: one call of the first tool with
 *       arguments {@value #TOOL_ARGUMENTS} ({@code finish_reason: tool_calls});</li>
 *   <li>the last message is a tool result: {@code "Tool result received: <its content>"};</li>
 *   <li>{@code response_format} {@code json_object} or {@code json_schema}: a JSON object as content;</li>
 *   <li>otherwise {@code "fake answer from <model>"}.</li>
 * </ul>
 * A model named {@code fail-once-...} answers its first call with OpenAI's 500 error body and later
 * ones normally, for retry tests. Every request body is kept in {@link #requests()} for the test to inspect. Thread-safe.
 */
final class FakeOpenAi implements AutoCloseable {

    static final String RATE_LIMITED_MODEL = "rate-limited-model";
    static final String FAILING_MODEL = "server-error-model";
    static final String TOOL_ARGUMENTS = "{\"city\":\"Paris\"}";
    static final String TOOL_CALL_ID = "call_fake_0001";

    private final HttpServer server;
    private final String expectedKey;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

    FakeOpenAi(String expectedKey) throws IOException {
        this.expectedKey = expectedKey;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", this::chat);
        server.createContext("/v1/models", this::models);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    private void chat(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.equals("Bearer " + expectedKey)) {
            String presented = auth == null ? "" : auth.replace("Bearer ", "");
            String partial = presented.length() > 8
                    ? presented.substring(0, 6) + "***" + presented.substring(presented.length() - 4) : presented;
            reply(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key provided: " + partial + ". You can find "
                    + "your API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\","
                    + "\"param\":null,\"code\":\"invalid_api_key\"}}");
            return;
        }
        JsonNode body = Http.JSON.readTree(exchange.getRequestBody());
        requests.add(body);
        String model = body.path("model").asText();
        if (model.equals(RATE_LIMITED_MODEL)) {
            exchange.getResponseHeaders().set("Retry-After", "7");
            reply(exchange, 429, "{\"error\":{\"message\":\"Rate limit reached for " + model + " in organization "
                    + "org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1.\",\"type\":\"requests\","
                    + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
            return;
        }
        if (model.equals(FAILING_MODEL) || model.startsWith("fail-once-") && failedOnce.add(model)) {
            reply(exchange, 500, "{\"error\":{\"message\":\"The server had an error while processing your request. "
                    + "Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
            return;
        }
        Answer answer = answer(body);
        if (body.path("stream").asBoolean(false)) {
            stream(exchange, model, answer, body.path("stream_options").path("include_usage").asBoolean(false));
        } else {
            ObjectNode completion = Http.JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion")
                    .put("created", 1).put("model", model);
            ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            if (answer.toolName() == null) {
                message.put("content", answer.content());
            } else {
                message.putNull("content");
                message.putArray("tool_calls").addObject().put("id", TOOL_CALL_ID).put("type", "function")
                        .putObject("function").put("name", answer.toolName()).put("arguments", TOOL_ARGUMENTS);
            }
            choice.put("finish_reason", answer.finishReason());
            completion.set("usage", usage());
            reply(exchange, 200, completion.toString());
        }
    }

    /** What to answer: text content, or a call of the named tool. */
    private record Answer(String content, String toolName) {
        String finishReason() {
            return toolName == null ? "stop" : "tool_calls";
        }
    }

    private static Answer answer(JsonNode body) {
        JsonNode messages = body.path("messages");
        JsonNode last = messages.path(messages.size() - 1);
        if ("tool".equals(last.path("role").asText())) {
            return new Answer("Tool result received: " + last.path("content").asText(), null);
        }
        JsonNode tools = body.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            return new Answer(null, tools.get(0).path("function").path("name").asText());
        }
        String format = body.path("response_format").path("type").asText("");
        if (format.equals("json_object") || format.equals("json_schema")) {
            return new Answer("{\"answer\":\"fake\",\"model\":\"" + body.path("model").asText() + "\"}", null);
        }
        return new Answer("fake answer from " + body.path("model").asText(), null);
    }

    private static ObjectNode usage() {
        return Http.JSON.createObjectNode().put("prompt_tokens", 7).put("completion_tokens", 3).put("total_tokens", 10);
    }

    private static void stream(HttpExchange exchange, String model, Answer answer, boolean includeUsage)
            throws IOException {
        List<ObjectNode> deltas = new ArrayList<>();
        deltas.add(Http.JSON.createObjectNode().put("role", "assistant").put("content", ""));
        if (answer.toolName() == null) {
            String[] words = answer.content().split(" ");
            for (int i = 0; i < words.length; i++) {
                deltas.add(Http.JSON.createObjectNode().put("content", i == 0 ? words[i] : " " + words[i]));
            }
        } else {
            // As OpenAI streams a call: id and name first, then the arguments in pieces.
            ObjectNode first = Http.JSON.createObjectNode();
            first.putArray("tool_calls").addObject().put("index", 0).put("id", TOOL_CALL_ID).put("type", "function")
                    .putObject("function").put("name", answer.toolName()).put("arguments", "");
            deltas.add(first);
            int half = TOOL_ARGUMENTS.length() / 2;
            for (String piece : new String[] {TOOL_ARGUMENTS.substring(0, half), TOOL_ARGUMENTS.substring(half)}) {
                ObjectNode delta = Http.JSON.createObjectNode();
                delta.putArray("tool_calls").addObject().put("index", 0).putObject("function").put("arguments", piece);
                deltas.add(delta);
            }
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i <= deltas.size(); i++) {
                ObjectNode chunk = chunk(model);
                ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", 0);
                choice.set("delta", i < deltas.size() ? deltas.get(i) : Http.JSON.createObjectNode());
                if (i < deltas.size()) {
                    choice.putNull("finish_reason");
                } else {
                    choice.put("finish_reason", answer.finishReason());
                }
                event(out, chunk.toString());
            }
            if (includeUsage) {
                ObjectNode last = chunk(model);
                last.set("usage", usage());
                event(out, last.toString());
            }
            event(out, "[DONE]");
        }
    }

    private static ObjectNode chunk(String model) {
        ObjectNode chunk = Http.JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                .put("created", 1).put("model", model);
        chunk.putArray("choices");
        return chunk;
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** GET /v1/models as OpenAI answers it; the key is checked like on every route. */
    private void models(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.equals("Bearer " + expectedKey)) {
            reply(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":"
                    + "\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
            return;
        }
        reply(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\","
                + "\"created\":1,\"owned_by\":\"openai\"},{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1,"
                + "\"owned_by\":\"openai\"}]}");
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
