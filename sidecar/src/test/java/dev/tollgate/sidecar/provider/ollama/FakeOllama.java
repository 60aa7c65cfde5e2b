package dev.tollgate.sidecar.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake Ollama server speaking its documented native API: {@code POST /api/chat} (NDJSON stream
 * unless {@code "stream": false}, a final line with {@code done: true}, {@code done_reason} and
 * token counts) and {@code POST /api/embed}. Errors are {@code {"error": "..."}}: 404 for a model
 * not pulled, 400 for malformed messages (non-base64 images, string tool arguments, unknown
 * roles). The last user message chooses a scenario: trigger-tools, trigger-length, trigger-500,
 * trigger-midstream-error.
 */
final class FakeOllama implements AutoCloseable {

    static final String MODEL = "llama3.2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<String> authorization = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    FakeOllama() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            requests.add(body);
            authorization.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            String path = ex.getRequestURI().getPath();
            if (!path.equals("/api/chat") && !path.equals("/api/embed")) {
                send(ex, 404, "text/plain", "404 page not found");
                return;
            }
            String model = body.path("model").asText();
            if (!model.equals(MODEL) && !model.equals("nomic-embed-text")) {
                error(ex, 404, "model \"" + model + "\" not found, try pulling it first");
                return;
            }
            if (path.equals("/api/embed")) {
                ObjectNode out = JSON.createObjectNode().put("model", model);
                JsonNode input = body.path("input");
                var embeddings = out.putArray("embeddings");
                int tokens = 0;
                for (JsonNode text : input.isArray() ? input : JSON.createArrayNode().add(input)) {
                    embeddings.addArray().add(text.asText().length()).add(0.25);
                    tokens += text.asText().length();
                }
                out.put("total_duration", 14143917).put("load_duration", 1019500).put("prompt_eval_count", tokens);
                send(ex, 200, "application/json", out.toString());
                return;
            }
            String invalid = invalid(body.path("messages"));
            if (invalid != null) {
                error(ex, 400, invalid);
                return;
            }
            chat(ex, body);
        }
    }

    /** Why Ollama would refuse these messages, or null. */
    private static String invalid(JsonNode messages) {
        for (JsonNode m : messages) {
            if (!ROLES.contains(m.path("role").asText())) {
                return "invalid role: " + m.path("role").asText();
            }
            for (JsonNode image : m.path("images")) {
                try {
                    Base64.getDecoder().decode(image.asText());
                } catch (IllegalArgumentException e) {
                    return "illegal base64 data at input byte 0";
                }
            }
            for (JsonNode call : m.path("tool_calls")) {
                if (!call.path("function").path("arguments").isObject()) {
                    return "json: cannot unmarshal string into Go struct field ToolCallFunction.messages.tool_calls"
                            + ".function.arguments of type api.ToolCallFunctionArguments";
                }
            }
        }
        return null;
    }

    private static void chat(HttpExchange ex, JsonNode body) throws IOException {
        JsonNode messages = body.path("messages");
        String said = messages.path(messages.size() - 1).path("content").asText();
        if (said.contains("trigger-500")) {
            error(ex, 500, "llama runner process has terminated: exit status 2");
            return;
        }
        List<ObjectNode> lines = new java.util.ArrayList<>();
        if (said.contains("trigger-tools")) {
            ObjectNode line = line(body, "");
            var calls = ((ObjectNode) line.path("message")).putArray("tool_calls");
            calls.addObject().putObject("function").put("name", "get_weather").putObject("arguments")
                    .put("city", "Paris");
            calls.addObject().putObject("function").put("name", "get_time").putObject("arguments").put("zone", "CET");
            lines.add(line);
        } else {
            for (String piece : List.of("Hello", " from", " Ollama")) {
                lines.add(line(body, piece));
            }
        }
        ObjectNode done = line(body, "").put("done", true)
                .put("done_reason", said.contains("trigger-length") ? "length" : "stop")
                .put("total_duration", 4883583458L).put("load_duration", 1334875).put("prompt_eval_count", 26)
                .put("prompt_eval_duration", 342546000).put("eval_count", 3).put("eval_duration", 4535599000L);
        if (!body.path("stream").asBoolean(true)) {
            ObjectNode merged = done.deepCopy();
            StringBuilder text = new StringBuilder();
            lines.forEach(l -> text.append(l.path("message").path("content").asText()));
            ((ObjectNode) merged.path("message")).put("content", text.toString());
            if (lines.get(0).path("message").has("tool_calls")) {
                ((ObjectNode) merged.path("message")).set("tool_calls", lines.get(0).path("message").path("tool_calls"));
            }
            send(ex, 200, "application/json; charset=utf-8", merged.toString());
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        for (int i = 0; i < lines.size(); i++) {
            if (i == 1 && said.contains("trigger-midstream-error")) {
                write(out, "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}");
                return;
            }
            write(out, lines.get(i).toString());
        }
        write(out, done.toString());
    }

    private static ObjectNode line(JsonNode body, String content) {
        ObjectNode line = JSON.createObjectNode().put("model", body.path("model").asText())
                .put("created_at", "2025-03-01T10:00:00.000000Z");
        line.putObject("message").put("role", "assistant").put("content", content);
        line.put("done", false);
        return line;
    }

    private static void write(OutputStream out, String json) throws IOException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, "application/json; charset=utf-8", JSON.createObjectNode().put("error", message).toString());
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
