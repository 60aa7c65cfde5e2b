package dev.tollgate.sidecar.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A fault-injecting fake OpenAI Chat Completions (and embeddings) API on 127.0.0.1. One server plays
 * many upstreams, each at {@code base(name)}; each upstream answers from a script (one behaviour per
 * call, in order) and then with its default behaviour: a normal answer, an HTTP error (429 with
 * Retry-After, 500/503/529, 401, a context-window or content-policy 400), a hang before the first
 * byte, a slow answer, a stream that dies or reports an error after its first chunk, or one that hangs
 * after it. Every call is recorded. Thread-safe.
 */
final class FaultyOpenAi implements AutoCloseable {

    static final String KEY = "sk-fake-upstream-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one call does. */
    sealed interface Behaviour {
    }

    /** Answers normally ("from &lt;upstream&gt;"), after {@code delayMs}. */
    record Ok(long delayMs) implements Behaviour {
    }

    /** An OpenAI error body with this status, code and headers. */
    record Fail(int status, String code, String message, Map<String, String> headers) implements Behaviour {
    }

    /** Never answers (until the fake closes). */
    record Hang() implements Behaviour {
    }

    /** Waits for {@code release} and then answers normally. */
    record Held(CountDownLatch release) implements Behaviour {
    }

    /** A stream that sends its first chunk, then an error event. */
    record ErrorAfterFirstChunk() implements Behaviour {
    }

    /** A stream that sends its first chunk, then drops the connection in the middle of the body. */
    record DropAfterFirstChunk() implements Behaviour {
    }

    /** A stream that sends its first chunk, then ends cleanly but without {@code [DONE]}. */
    record EndAfterFirstChunk() implements Behaviour {
    }

    /** A stream that sends its first chunk, then hangs. */
    record HangAfterFirstChunk() implements Behaviour {
    }

    /** A stream that sends its first chunk, waits for {@code release}, then ends normally. */
    record HeldAfterFirstChunk(CountDownLatch release) implements Behaviour {
    }

    static final Behaviour OK = new Ok(0);
    static final Behaviour HANG = new Hang();

    static Fail status(int status) {
        return new Fail(status, "", "upstream says " + status, Map.of());
    }

    static Fail rateLimited(int retryAfterSeconds) {
        return new Fail(429, "rate_limit_exceeded", "Rate limit reached", Map.of("Retry-After",
                Integer.toString(retryAfterSeconds)));
    }

    static final Fail CONTEXT_TOO_LONG = new Fail(400, "context_length_exceeded",
            "This model's maximum context length is 8192 tokens.", Map.of());
    static final Fail CONTENT_POLICY = new Fail(400, "content_policy_violation",
            "Your request was rejected as a result of our safety system.", Map.of());
    static final Fail BAD_REQUEST = new Fail(400, "invalid_value", "'temperature' must be at most 2", Map.of());

    /** One recorded call. */
    record Call(String upstream, JsonNode body, long atNanos) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Behaviour>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Behaviour> defaults = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer server;

    FaultyOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The api_base of upstream {@code name}. */
    String base(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + "/v1";
    }

    /** Upstream {@code name} answers its next calls with {@code behaviours}, then with its default. */
    FaultyOpenAi script(String name, Behaviour... behaviours) {
        Deque<Behaviour> script = scripts.computeIfAbsent(name, n -> new ArrayDeque<>());
        synchronized (script) {
            script.addAll(List.of(behaviours));
        }
        return this;
    }

    /** Upstream {@code name} answers every call not scripted with {@code behaviour} (else {@link #OK}). */
    FaultyOpenAi always(String name, Behaviour behaviour) {
        defaults.put(name, behaviour);
        return this;
    }

    long callsTo(String name) {
        return calls.stream().filter(c -> c.upstream().equals(name)).count();
    }

    List<String> order() {
        return calls.stream().map(Call::upstream).toList();
    }

    private Behaviour next(String name) {
        Deque<Behaviour> script = scripts.get(name);
        if (script != null) {
            synchronized (script) {
                if (!script.isEmpty()) {
                    return script.poll();
                }
            }
        }
        return defaults.getOrDefault(name, OK);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String name = path.substring(1, path.indexOf('/', 1));
        JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
        calls.add(new Call(name, body, System.nanoTime()));
        if (!("Bearer " + KEY).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            fail(ex, new Fail(401, "invalid_api_key", "Incorrect API key provided", Map.of()));
            return;
        }
        boolean stream = body.path("stream").asBoolean(false);
        boolean embeddings = path.endsWith("/embeddings");
        try {
            switch (next(name)) {
                case Ok ok -> {
                    sleep(ok.delayMs());
                    answer(ex, name, stream, embeddings);
                }
                case Fail f -> fail(ex, f);
                case Hang h -> closing.await();
                case Held held -> {
                    held.release().await(10, TimeUnit.SECONDS);
                    answer(ex, name, stream, embeddings);
                }
                case ErrorAfterFirstChunk e -> {
                    OutputStream out = startStream(ex, name);
                    out.write(("data: {\"error\":{\"message\":\"upstream broke mid-stream\",\"type\":\"server_error\"}}"
                            + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.close();
                }
                case DropAfterFirstChunk d -> {
                    // Promise a longer body than is sent: closing early cuts the connection mid-body.
                    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                    ex.sendResponseHeaders(200, 1_000_000);
                    ex.getResponseBody().write(chunk(name, "{\"role\":\"assistant\",\"content\":\"from\"}", "null"));
                    ex.getResponseBody().flush();
                    throw new IOException("fake upstream drops the connection");
                }
                case EndAfterFirstChunk e -> startStream(ex, name).close();
                case HangAfterFirstChunk h -> {
                    startStream(ex, name);
                    closing.await();
                }
                case HeldAfterFirstChunk h -> {
                    OutputStream out = startStream(ex, name);
                    h.release().await(10, TimeUnit.SECONDS);
                    out.write(chunk(name, "{\"content\":\" " + name + "\"}", "\"stop\""));
                    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                    out.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private static void answer(HttpExchange ex, String name, boolean stream, boolean embeddings) throws IOException {
        if (embeddings) {
            send(ex, 200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.6,0.8]}],"
                    + "\"model\":\"" + name + "\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}");
            return;
        }
        if (!stream) {
            send(ex, 200, "{\"id\":\"c-" + name + "\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + name
                    + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"from " + name
                    + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
                    + "\"total_tokens\":5}}");
            return;
        }
        OutputStream out = startStream(ex, name);
        out.write(chunk(name, "{\"content\":\" " + name + "\"}", "\"stop\""));
        out.write(("data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + name
                + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n"
                + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    /** Sends the stream's headers and its first chunk ("from"), flushed. */
    private static OutputStream startStream(HttpExchange ex, String name) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        out.write(chunk(name, "{\"role\":\"assistant\",\"content\":\"from\"}", "null"));
        out.flush();
        return out;
    }

    private static byte[] chunk(String name, String delta, String finish) {
        return ("data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + name
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void fail(HttpExchange ex, Fail f) throws IOException {
        f.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        send(ex, f.status(), "{\"error\":{\"message\":\"" + f.message() + "\",\"type\":\"error\",\"param\":null,"
                + "\"code\":" + (f.code().isEmpty() ? "null" : "\"" + f.code() + "\"") + "}}");
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void sleep(long ms) throws InterruptedException {
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
