package dev.tollgate.controlplane.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fake OAuth2 token endpoints on loopback, in the providers' wire formats:
 * <ul>
 *   <li>Entra ID, {@code POST /{tenant}/oauth2/v2.0/token} with the client-credentials grant: checks tenant,
 *       client id, client secret and the Cognitive Services scope; refuses with AADSTS-style
 *       {@code invalid_client};</li>
 *   <li>Google, {@code POST /token} with the JWT-bearer grant: verifies the assertion's RS256 signature with
 *       the service account's public key and its iss, scope, aud and one-hour lifetime; refuses with
 *       {@code invalid_grant}.</li>
 * </ul>
 * Each grant gets a numbered access token. Thread-safe.
 */
final class FakeTokenEndpoints implements AutoCloseable {

    static final String TENANT = "0f1e2d3c-tenant";
    static final String CLIENT_ID = "5a6b7c8d-client";
    static final String CLIENT_SECRET = "entraClientSecret-CANARY~0123456789";
    static final String SERVICE_ACCOUNT = "tollgate-test@example-project.iam.gserviceaccount.com";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final PublicKey googleKey;
    private final AtomicInteger issued = new AtomicInteger();
    private final List<String> grants = new CopyOnWriteArrayList<>();
    private volatile int failWith;
    private volatile long expiresIn = 3600;

    FakeTokenEndpoints(PublicKey googleKey) throws IOException {
        this.googleKey = googleKey;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The authority host (Entra ID) of this fake. */
    String authority() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The token_uri (Google) of this fake. */
    String googleTokenUri() {
        return authority() + "/token";
    }

    void failWith(int status) {
        failWith = status;
    }

    void expiresIn(long seconds) {
        expiresIn = seconds;
    }

    /** "entra" or "google", once per token issued. */
    List<String> grants() {
        return grants;
    }

    static String entraToken(int n) {
        return "eyJ0eXAiOiJKV1QiEntraAccessToken." + n;
    }

    static String googleToken(int n) {
        return "ya29.GoogleAccessToken-" + n;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String path = ex.getRequestURI().getPath();
            if (!ex.getRequestMethod().equals("POST")) {
                send(ex, 405, "{\"error\":\"invalid_request\"}");
            } else if (path.equals("/" + TENANT + "/oauth2/v2.0/token")) {
                entra(ex, form);
            } else if (path.equals("/token")) {
                google(ex, form);
            } else {
                send(ex, 404, "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS90002: Tenant not found.\"}");
            }
        }
    }

    private void entra(HttpExchange ex, Map<String, String> form) throws IOException {
        if (failWith != 0) {
            send(ex, failWith, "{\"error\":\"temporarily_unavailable\",\"error_description\":\"AADSTS50196: "
                    + "The server is temporarily unavailable.\"}");
            return;
        }
        if (!"client_credentials".equals(form.get("grant_type"))
                || !"https://cognitiveservices.azure.com/.default".equals(form.get("scope"))) {
            send(ex, 400, "{\"error\":\"invalid_scope\",\"error_description\":\"AADSTS70011: The provided value for "
                    + "the input parameter 'scope' is not valid.\"}");
            return;
        }
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            send(ex, 401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client "
                    + "secret provided. Ensure the secret being sent in the request is the client secret value.\"}");
            return;
        }
        int n = issued.incrementAndGet();
        grants.add("entra");
        // Entra ID sends expires_in as a number; ext_expires_in too.
        send(ex, 200, "{\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + ",\"ext_expires_in\":" + expiresIn
                + ",\"access_token\":\"" + entraToken(n) + "\"}");
    }

    private void google(HttpExchange ex, Map<String, String> form) throws IOException {
        if (failWith != 0) {
            send(ex, failWith, "{\"error\":\"internal_failure\",\"error_description\":\"Backend Error\"}");
            return;
        }
        String problem = verifyAssertion(form);
        if (problem != null) {
            send(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"" + problem + "\"}");
            return;
        }
        int n = issued.incrementAndGet();
        grants.add("google");
        send(ex, 200, "{\"access_token\":\"" + googleToken(n) + "\",\"expires_in\":" + expiresIn
                + ",\"token_type\":\"Bearer\"}");
    }

    private String verifyAssertion(Map<String, String> form) {
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
            return "Invalid grant_type";
        }
        String[] parts = form.getOrDefault("assertion", "").split("\\.");
        if (parts.length != 3) {
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.";
        }
        try {
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(googleKey);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!"RS256".equals(header.path("alg").asText()) || !rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return "Invalid JWT Signature.";
            }
            if (!SERVICE_ACCOUNT.equals(claims.path("iss").asText())
                    || !"https://www.googleapis.com/auth/cloud-platform".equals(claims.path("scope").asText())
                    || !googleTokenUri().equals(claims.path("aud").asText())) {
                return "Invalid JWT: iss, scope or aud";
            }
            if (claims.path("exp").asLong() - claims.path("iat").asLong() != 3600) {
                return "Invalid JWT: Token must be a short-lived token (60 minutes)";
            }
            return null;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return "Invalid JWT: unreadable";
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
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
