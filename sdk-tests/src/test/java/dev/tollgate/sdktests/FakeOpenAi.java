package dev.tollgate.sdktests;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A fake OpenAI Chat Completions upstream on loopback: checks the Bearer key like the real API
 * (answering 401 with OpenAI's own error body, which quotes part of the key) and answers with
 * the documented response shape. A model named {@code fail-once-...} answers its first call with
 * OpenAI's 500 error body and later ones normally, for retry tests.
 */
final class FakeOpenAi implements AutoCloseable {

    private final HttpServer server;
    private final String expectedKey;
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
        String model = body.path("model").asText();
        if (model.startsWith("fail-once-") && failedOnce.add(model)) {
            reply(exchange, 500, "{\"error\":{\"message\":\"The server had an error while processing your request. "
                    + "Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
            return;
        }
        reply(exchange, 200, "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fake answer from "
                + model + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,"
                + "\"total_tokens\":10}}");
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
