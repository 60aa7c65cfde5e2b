package dev.tollgate.sidecar.provider.gemini;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Google generative endpoint: AI Studio ({@code /v1beta/models/{model}:{method}},
 * {@code x-goog-api-key}) or Vertex AI ({@code /v1/projects/{p}/locations/{l}/publishers/google/
 * models/{model}:{method}}, OAuth bearer token). Errors use Google's body
 * {@code {"error":{"code","message","status","details"}}} and its real quirks: AI Studio answers a
 * wrong key with 400 INVALID_ARGUMENT "API key not valid" and a missing one with 403 "unregistered
 * callers". Prompts containing trigger-429 / trigger-long / trigger-403 / trigger-500 / trigger-503
 * / trigger-midstream-error / trigger-truncated choose those failures; {@link FakeGeminiModel} does the rest.
 */
public final class FakeGoogle implements AutoCloseable {

    public enum Flavor { AI_STUDIO, VERTEX }

    public static final String API_KEY = "AIzaSyFAKE-0123456789abcdefghijklmnop";
    public static final String TOKEN = "ya29.fake-oauth-access-token";
    public static final String PROJECT = "my-project";
    public static final String MODEL = "gemini-2.0-flash";
    private static final Pattern STUDIO = Pattern.compile("/v1beta/models/([^:/]+):(\\w+)");
    private static final Pattern VERTEX = Pattern.compile(
            "/v1/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^:/]+):(\\w+)");

    /** One request as received. */
    public record Seen(String path, String query, String apiKey, String authorization, JsonNode body) {
    }

    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Flavor flavor;
    private final HttpServer server;

    public FakeGoogle(Flavor flavor) throws IOException {
        this.flavor = flavor;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode body = FakeGeminiModel.JSON.readTree(ex.getRequestBody().readAllBytes());
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery();
            seen.add(new Seen(path, query, ex.getRequestHeaders().getFirst("x-goog-api-key"),
                    ex.getRequestHeaders().getFirst("Authorization"), body));
            Matcher m = (flavor == Flavor.AI_STUDIO ? STUDIO : VERTEX).matcher(path);
            if (!m.matches()) {
                error(ex, 404, "NOT_FOUND", "The requested URL " + path + " was not found on this server.", "");
                return;
            }
            if (!authenticated(ex)) {
                return;
            }
            String model = flavor == Flavor.AI_STUDIO ? m.group(1) : m.group(3);
            String method = flavor == Flavor.AI_STUDIO ? m.group(2) : m.group(4);
            if (flavor == Flavor.VERTEX && !m.group(1).equals(PROJECT)) {
                error(ex, 403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied on resource "
                        + "'//aiplatform.googleapis.com" + path.substring(3, path.indexOf(':')) + "' (or it may not exist).", "");
                return;
            }
            if (!model.equals(MODEL) && !model.startsWith("text-embedding") && !model.startsWith("gemini-embedding")) {
                error(ex, 404, "NOT_FOUND", "models/" + model + " is not found for API version v1beta, or is not "
                        + "supported for " + method + ". Call ListModels to see the list of available models and their "
                        + "supported methods.", "");
                return;
            }
            switch (method) {
                case "generateContent" -> generate(ex, body, false);
                case "streamGenerateContent" -> generate(ex, body, query.contains("alt=sse"));
                case "embedContent", "batchEmbedContents", "predict" -> FakeGoogleEmbeddings.answer(ex, method, model,
                        body);
                default -> error(ex, 404, "NOT_FOUND", "Method " + method + " not found.", "");
            }
        }
    }

    private boolean authenticated(HttpExchange ex) throws IOException {
        if (flavor == Flavor.VERTEX) {
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                error(ex, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 "
                        + "access token, login cookie or other valid authentication credential. See "
                        + "https://developers.google.com/identity/sign-in/web/devconsole-project.", "");
                return false;
            }
            return true;
        }
        String key = ex.getRequestHeaders().getFirst("x-goog-api-key");
        if (key == null) {
            error(ex, 403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without "
                    + "established identity). Please use API Key or other form of API consumer identity to call this API.",
                    "");
            return false;
        }
        if (!key.equals(API_KEY)) {
            error(ex, 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                    ",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\","
                            + "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}}]");
            return false;
        }
        return true;
    }

    private void generate(HttpExchange ex, JsonNode body, boolean sse) throws IOException {
        try {
            FakeGeminiModel.validate(body);
        } catch (FakeGeminiModel.Invalid e) {
            error(ex, 400, "INVALID_ARGUMENT", e.getMessage(), "");
            return;
        }
        String said = FakeGeminiModel.lastUserText(body);
        if (said.contains("trigger-429")) {
            error(ex, 429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing "
                    + "details.", ",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
                    + "\"retryDelay\":\"17s\"}]");
        } else if (said.contains("trigger-long")) {
            error(ex, 400, "INVALID_ARGUMENT", "The input token count (1200000) exceeds the maximum number of tokens "
                    + "allowed (1048576).", "");
        } else if (said.contains("trigger-403")) {
            error(ex, 403, "PERMISSION_DENIED", "Permission denied: Consumer 'api_key:" + API_KEY + "' has been "
                    + "suspended.", "");
        } else if (said.contains("trigger-500")) {
            error(ex, 500, "INTERNAL", "An internal error has occurred. Please retry or report in "
                    + "https://developers.generativeai.google/guide/troubleshooting", "");
        } else if (said.contains("trigger-503")) {
            error(ex, 503, "UNAVAILABLE", "The model is overloaded. Please try again later.", "");
        } else if (!sse) {
            send(ex, 200, "application/json", FakeGeminiModel.merged(FakeGeminiModel.events(body)).toString());
        } else {
            List<ObjectNode> events = FakeGeminiModel.events(body);
            // trigger-truncated: the stream ends cleanly but early, before any finish reason.
            stream(ex, said.contains("trigger-truncated") ? events.subList(0, 1) : events,
                    said.contains("trigger-midstream-error"));
        }
    }

    private static void stream(HttpExchange ex, List<ObjectNode> events, boolean failMidway) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        for (int i = 0; i < events.size(); i++) {
            if (failMidway && i == 1) {
                write(out, "{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\","
                        + "\"status\":\"UNAVAILABLE\"}}");
                return;
            }
            write(out, events.get(i).toString());
        }
    }

    private static void write(OutputStream out, String json) throws IOException {
        // Google separates events with CRLF pairs.
        out.write(("data: " + json + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static void error(HttpExchange ex, int code, String status, String message, String details) throws IOException {
        send(ex, code, "application/json; charset=UTF-8", "{\"error\":{\"code\":" + code + ",\"message\":"
                + FakeGeminiModel.JSON.writeValueAsString(message) + ",\"status\":\"" + status + "\"" + details + "}}");
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
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
