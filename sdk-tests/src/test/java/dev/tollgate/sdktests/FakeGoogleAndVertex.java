package dev.tollgate.sdktests;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Google's OAuth token endpoint and Vertex AI on one loopback port. {@code POST /token} takes the
 * JWT-bearer grant and issues a numbered access token only for an assertion whose RS256 signature
 * verifies with the service account's public key and whose aud is this endpoint; Vertex
 * ({@code POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent}) answers
 * only a bearer token it issued, else Google's 401. Records the token of every Vertex call. Thread-safe.
 */
final class FakeGoogleAndVertex implements AutoCloseable {

    static final String SERVICE_ACCOUNT = "tollgate-e2e@example-project.iam.gserviceaccount.com";

    private final HttpServer server;
    private final PublicKey accountKey;
    private final AtomicInteger issued = new AtomicInteger();
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private final List<String> bearersSeen = new CopyOnWriteArrayList<>();

    FakeGoogleAndVertex(PublicKey accountKey) throws IOException {
        this.accountKey = accountKey;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/token", this::token);
        server.createContext("/v1/projects/", this::generate);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
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
            if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))
                    || !signedByTheAccount(form.getOrDefault("assertion", ""))) {
                send(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
                return;
            }
            String token = "ya29.e2eVertexToken-" + issued.incrementAndGet();
            valid.add(token);
            send(ex, 200, "{\"access_token\":\"" + token + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
        }
    }

    private boolean signedByTheAccount(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            JsonNode claims = Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(accountKey);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return rsa.verify(Base64.getUrlDecoder().decode(parts[2]))
                    && SERVICE_ACCOUNT.equals(claims.path("iss").asText())
                    && (url() + "/token").equals(claims.path("aud").asText());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private void generate(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            String authorization = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
            String bearer = authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
            if (!valid.contains(bearer) || !ex.getRequestURI().getPath().endsWith(":generateContent")) {
                send(ex, 401, "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials."
                        + "\",\"status\":\"UNAUTHENTICATED\"}}");
                return;
            }
            bearersSeen.add(bearer);
            send(ex, 200, """
                    {"candidates":[{"content":{"role":"model","parts":[{"text":"hello from vertex"}]},
                      "finishReason":"STOP"}],
                     "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3,"totalTokenCount":8},
                     "modelVersion":"gemini-2.0-flash"}""");
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
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
