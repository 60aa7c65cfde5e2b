package dev.tollgate.sdktests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Entra ID and Azure OpenAI on one loopback port, in their wire formats. The token endpoint
 * ({@code POST /{tenant}/oauth2/v2.0/token}, client-credentials grant) issues numbered bearer tokens
 * to the one app registration it knows, each living {@code lifetimeSeconds}; the Azure endpoint
 * ({@code POST /openai/deployments/{deployment}/chat/completions?api-version=...}) answers a chat
 * completion only to a bearer token it issued, else Azure's 401. It records the token of every
 * chat call. Thread-safe.
 */
final class FakeEntraAndAzure implements AutoCloseable {

    static final String TENANT = "7c1d0e2f-tenant";
    static final String CLIENT_ID = "3b4a5c6d-client";
    static final String CLIENT_SECRET = "entraSecret-CANARY~e2e-0123456789";

    private final HttpServer server;
    private final long lifetimeSeconds;
    private final AtomicInteger issued = new AtomicInteger();
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private final List<String> bearersSeen = new CopyOnWriteArrayList<>();

    FakeEntraAndAzure(long lifetimeSeconds) throws IOException {
        this.lifetimeSeconds = lifetimeSeconds;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/" + TENANT + "/oauth2/v2.0/token", this::token);
        server.createContext("/openai/deployments/", this::chat);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static String token(int n) {
        return "eyJ0eXAiOiJKV1QiE2eEntraToken." + n;
    }

    List<String> bearersSeen() {
        return bearersSeen;
    }

    private void token(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            if (!"client_credentials".equals(form.get("grant_type")) || !CLIENT_ID.equals(form.get("client_id"))
                    || !CLIENT_SECRET.equals(form.get("client_secret"))
                    || !"https://cognitiveservices.azure.com/.default".equals(form.get("scope"))) {
                send(ex, 401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client "
                        + "secret provided.\"}");
                return;
            }
            String token = token(issued.incrementAndGet());
            valid.add(token);
            send(ex, 200, "{\"token_type\":\"Bearer\",\"expires_in\":" + lifetimeSeconds + ",\"ext_expires_in\":"
                    + lifetimeSeconds + ",\"access_token\":\"" + token + "\"}");
        }
    }

    private void chat(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            String authorization = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
            String bearer = authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
            if (!valid.contains(bearer) || ex.getRequestHeaders().containsKey("api-key")
                    || !ex.getRequestURI().getPath().endsWith("/chat/completions")
                    || !String.valueOf(ex.getRequestURI().getQuery()).startsWith("api-version=")) {
                send(ex, 401, "{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to invalid subscription "
                        + "key or wrong API endpoint.\"}}");
                return;
            }
            bearersSeen.add(bearer);
            send(ex, 200, """
                    {"id":"chatcmpl-azure-1","object":"chat.completion","created":1764000000,"model":"gpt-4o",
                     "choices":[{"index":0,"message":{"role":"assistant","content":"hello from azure"},
                     "finish_reason":"stop"}],
                     "usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}""");
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
