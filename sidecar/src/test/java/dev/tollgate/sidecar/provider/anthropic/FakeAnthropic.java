package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A fake Anthropic Messages API on 127.0.0.1: checks what the real API checks (x-api-key, anthropic-version,
 * required and unknown fields, role order, tool_use/tool_result pairing) and answers with its documented error
 * body; otherwise records the request and answers with the scripted {@link #reply}.
 */
final class FakeAnthropic implements AutoCloseable {

    static final String KEY = "sk-ant-api03-fake-upstream-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("model", "messages", "max_tokens", "system", "stop_sequences",
            "stream", "temperature", "top_p", "top_k", "metadata", "tools", "tool_choice", "thinking", "service_tier");

    /** A scripted answer: a JSON body with a status and headers, or (status 200) a list of SSE events. */
    record Reply(int status, Map<String, String> headers, String body, List<String> events) {
        static Reply json(String body) {
            return new Reply(200, Map.of(), body, List.of());
        }

        static Reply error(int status, String type, String message, Map<String, String> headers) {
            return new Reply(status, headers, errorBody(type, message), List.of());
        }

        /** Each event is its data JSON; its {@code type} names the SSE event. */
        static Reply events(String... events) {
            return new Reply(200, Map.of(), "", List.of(events));
        }
    }

    /** One request as received. */
    record Received(String path, Map<String, List<String>> headers, JsonNode body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile Reply reply = Reply.json(textMessage("Hello from Claude.", "end_turn"));
    private final HttpServer server;

    FakeAnthropic() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The api_base to configure: the host, as Anthropic documents it. */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Received last() {
        return received.get(received.size() - 1);
    }

    static String textMessage(String text, String stopReason) {
        return """
                {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",\
                "content":[{"type":"text","text":%s}],"model":"claude-sonnet-4-5","stop_reason":"%s",\
                "stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":6}}"""
                .formatted(quote(text), stopReason);
    }

    static String errorBody(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":" + quote(message)
                + "},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
    }

    static String quote(String text) {
        return JSON.getNodeFactory().textNode(text).toString();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().equals("/v1/messages")) {
                send(ex, Reply.error(404, "not_found_error", "Not found", Map.of()));
                return;
            }
            String key = ex.getRequestHeaders().getFirst("x-api-key");
            if (key == null) {
                send(ex, Reply.error(401, "authentication_error", "x-api-key header is required", Map.of()));
                return;
            }
            if (!key.equals(KEY)) {
                send(ex, Reply.error(401, "authentication_error", "invalid x-api-key", Map.of()));
                return;
            }
            if (ex.getRequestHeaders().getFirst("anthropic-version") == null) {
                send(ex, Reply.error(400, "invalid_request_error", "anthropic-version: header is required", Map.of()));
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(ex.getRequestBody().readAllBytes());
            } catch (IOException e) {
                send(ex, Reply.error(400, "invalid_request_error", "There was an issue with the JSON body", Map.of()));
                return;
            }
            String invalid = body != null && body.isObject() ? invalid((ObjectNode) body) : "body: must be an object";
            if (invalid != null) {
                send(ex, Reply.error(400, "invalid_request_error", invalid, Map.of()));
                return;
            }
            received.add(new Received(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body));
            send(ex, reply);
        }
    }

    /** The first problem the real API would report, in its words, or null. */
    private static String invalid(ObjectNode body) {
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return name + ": Extra inputs are not permitted";
            }
        }
        if (!body.path("model").isTextual()) {
            return "model: Field required";
        }
        if (!body.path("max_tokens").canConvertToInt()) {
            return "max_tokens: Field required";
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return "messages: Field required";
        }
        if (body.has("temperature") && (body.path("temperature").asDouble() < 0 || body.path("temperature").asDouble() > 1)) {
            return "temperature: Input should be less than or equal to 1";
        }
        String previous = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText();
            if (!role.equals("user") && !role.equals("assistant")) {
                return "messages: Unexpected role \"" + role + "\". The Messages API accepts a top-level `system` "
                        + "parameter, not \"" + role + "\" as an input message role.";
            }
            if (role.equals(previous)) {
                return "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \""
                        + role + "\" roles in a row";
            }
            if (i == 0 && !role.equals("user")) {
                return "messages: first message must use the \"user\" role";
            }
            for (JsonNode block : m.path("content")) {
                if (block.path("type").asText().equals("text") && block.path("text").asText().isEmpty()) {
                    return "messages: text content blocks must be non-empty";
                }
            }
            String pairing = pairing(messages, i);
            if (pairing != null) {
                return pairing;
            }
            previous = role;
        }
        return null;
    }

    /** Every tool_use of an assistant turn needs its tool_result in the next user turn, and the reverse. */
    private static String pairing(JsonNode messages, int i) {
        JsonNode m = messages.get(i);
        if (m.path("role").asText().equals("assistant")) {
            for (JsonNode block : m.path("content")) {
                if (block.path("type").asText().equals("tool_use")
                        && !hasBlock(messages.path(i + 1), "tool_result", "tool_use_id", block.path("id").asText())) {
                    return "messages." + i + ": `tool_use` ids were found without `tool_result` blocks immediately "
                            + "after: " + block.path("id").asText();
                }
            }
        } else {
            for (JsonNode block : m.path("content")) {
                if (block.path("type").asText().equals("tool_result")
                        && !hasBlock(messages.path(i - 1), "tool_use", "id", block.path("tool_use_id").asText())) {
                    return "messages." + i + ": unexpected `tool_use_id` found in `tool_result` blocks: "
                            + block.path("tool_use_id").asText();
                }
            }
        }
        return null;
    }

    private static boolean hasBlock(JsonNode message, String type, String field, String value) {
        for (JsonNode block : message.path("content")) {
            if (block.path("type").asText().equals(type) && block.path(field).asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.getResponseHeaders().add("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy");
        if (reply.events().isEmpty()) {
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("content-type", "application/json");
            ex.sendResponseHeaders(reply.status(), body.length);
            ex.getResponseBody().write(body);
            return;
        }
        ex.getResponseHeaders().add("content-type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        for (String event : reply.events()) {
            String type = JSON.readTree(event).path("type").asText();
            out.write(("event: " + type + "\ndata: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
