package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A minimal fake OpenAI Chat Completions API on 127.0.0.1 for the /v1/messages surface tests: checks the
 * bearer key, records each request, answers with the scripted JSON body or {@code data:} chunks.
 */
final class FakeOpenAi implements AutoCloseable {

    static final String KEY = "sk-proj-fake-openai-upstream-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A JSON answer with status and headers, or (status 200) chunks each sent as {@code data:} then {@code [DONE]}. */
    record Reply(int status, Map<String, String> headers, String body, List<String> chunks) {
        static Reply json(String body) {
            return new Reply(200, Map.of(), body, List.of());
        }

        static Reply chunks(String... chunks) {
            return new Reply(200, Map.of(), "", List.of(chunks));
        }
    }

    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    volatile Reply reply;
    private final HttpServer server;

    FakeOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    JsonNode last() {
        return received.get(received.size() - 1);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!("Bearer " + KEY).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, new Reply(401, Map.of(), "{\"error\":{\"message\":\"Incorrect API key provided.\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}", List.of()));
                return;
            }
            received.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            send(ex, reply);
        }
    }

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        if (reply.chunks().isEmpty()) {
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(reply.status(), body.length);
            ex.getResponseBody().write(body);
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        for (String chunk : reply.chunks()) {
            out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
