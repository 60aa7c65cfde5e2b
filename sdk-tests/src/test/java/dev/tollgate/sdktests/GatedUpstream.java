package dev.tollgate.sdktests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fake OpenAI chat upstream for strict-mode tests. It accepts only the keys it is given (401 with
 * OpenAI's body otherwise), records every Authorization header it sees, and streams in two halves:
 * the first content chunk, then nothing until the test {@link #release}s the rest (or
 * {@code holdAtMost} passes), so a test can tell whether chunks reach the client as they are sent.
 * Thread-safe.
 */
final class GatedUpstream implements AutoCloseable {

    private final HttpServer server;
    private final Set<String> keys;
    private final Duration holdAtMost;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(1);
    private final AtomicBoolean lastSent = new AtomicBoolean();

    GatedUpstream(Set<String> keys, Duration holdAtMost) throws IOException {
        this.keys = Set.copyOf(keys);
        this.holdAtMost = holdAtMost;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", this::chat);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every Authorization header value received, in order. */
    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** Arms the gate for the next stream. */
    void arm() {
        gate = new CountDownLatch(1);
        lastSent.set(false);
    }

    /** Lets a held stream send its remaining chunks. */
    void release() {
        gate.countDown();
    }

    /** Whether the held stream has sent its last chunk. */
    boolean lastSent() {
        return lastSent.get();
    }

    private void chat(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "" : auth);
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (auth == null || !keys.contains(auth.replaceFirst("^Bearer ", ""))) {
            String presented = auth == null ? "" : auth.replaceFirst("^Bearer ", "");
            // OpenAI quotes the key it refused: the relay must not carry that back to the sidecar.
            reply(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key provided: " + presented + ".\","
                    + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
            return;
        }
        String model = Http.JSON.readTree(body).path("model").asText();
        if (!Http.JSON.readTree(body).path("stream").asBoolean(false)) {
            reply(exchange, 200, "{\"id\":\"chatcmpl-gated\",\"object\":\"chat.completion\",\"created\":1,\"model\":\""
                    + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                    + "\"gated answer\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                    + "\"completion_tokens\":2,\"total_tokens\":7}}");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            event(out, chunk(model, "{\"role\":\"assistant\",\"content\":\"first\"}", "null"));
            try {
                gate.await(holdAtMost.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            event(out, chunk(model, "{\"content\":\" last\"}", "null"));
            event(out, chunk(model, "{}", "\"stop\""));
            lastSent.set(true);
            event(out, "[DONE]");
        }
    }

    private static String chunk(String model, String delta, String finish) {
        return "{\"id\":\"chatcmpl-gated\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}";
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
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
        release();
        server.stop(0);
    }
}
