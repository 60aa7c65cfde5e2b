package dev.tollgate.sdktests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A fake OpenAI Chat Completions upstream that records which key each request presented, and holds
 * every streamed answer after its first chunk until the test {@link #release() releases} it: a stream
 * that is provably still in flight while the test changes something. Answers in OpenAI's wire format.
 */
final class HeldStreamUpstream implements AutoCloseable {

    /** One request as the upstream saw it: the key presented and whether it streamed. */
    record Seen(String key, boolean stream) {
        @Override
        public String toString() {
            return "Seen[…" + key.substring(Math.max(0, key.length() - 4)) + ", stream=" + stream + "]";
        }
    }

    private final HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    HeldStreamUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", this::chat);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Lets every held stream finish. */
    void release() {
        release.countDown();
    }

    private void chat(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String key = auth == null ? "" : auth.replaceFirst("^Bearer ", "");
        JsonNode body = Http.JSON.readTree(exchange.getRequestBody());
        boolean stream = body.path("stream").asBoolean(false);
        seen.add(new Seen(key, stream));
        String model = body.path("model").asText();
        if (!stream) {
            ObjectNode completion = Http.JSON.createObjectNode().put("id", "chatcmpl-held").put("object",
                    "chat.completion").put("created", 1).put("model", model);
            completion.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                    .putObject("message").put("role", "assistant").put("content", "quick answer");
            completion.putObject("usage").put("prompt_tokens", 5).put("completion_tokens", 2).put("total_tokens", 7);
            byte[] bytes = completion.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            event(out, chunk(model, "{\"role\":\"assistant\",\"content\":\"held \"}", null));
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    return; // the test failed elsewhere; end the stream without [DONE]
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            event(out, chunk(model, "{\"content\":\"then finished\"}", null));
            event(out, chunk(model, "{}", "stop"));
            if (body.path("stream_options").path("include_usage").asBoolean(false)) {
                event(out, "{\"id\":\"chatcmpl-held\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\""
                        + model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4,"
                        + "\"total_tokens\":9}}");
            }
            event(out, "[DONE]");
        }
    }

    private static String chunk(String model, String delta, String finish) {
        return "{\"id\":\"chatcmpl-held\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
