package dev.tollgate.sidecar.provider.azure;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Azure OpenAI resource speaking the documented REST surface:
 * {@code POST /openai/deployments/{deployment}/chat/completions|embeddings?api-version=...}
 * authenticated by {@code api-key} (or an Entra ID bearer token). Like Azure it answers 404
 * "Resource not found" without an api-version, 401 for a bad key, 404 DeploymentNotFound for an
 * unknown deployment, 400 content_filter for a filtered prompt, and 429 with Retry-After.
 * Prompts containing "trigger-429" or "trigger-filter" choose those errors.
 */
final class FakeAzureOpenAi implements AutoCloseable {

    static final String KEY = "azure-key-0123456789abcdef";
    static final String AD_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOi.entra-token";
    static final String DEPLOYMENT = "gpt4o-prod";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile("/openai/deployments/([^/]+)/(chat/completions|embeddings)");

    /** What one request carried, for assertions. */
    record Seen(String path, String query, String apiKey, String authorization, JsonNode body) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    FakeAzureOpenAi() throws IOException {
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
            String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
            seen.add(new Seen(ex.getRequestURI().getPath(), query, ex.getRequestHeaders().getFirst("api-key"),
                    ex.getRequestHeaders().getFirst("Authorization"), body));
            Matcher m = PATH.matcher(ex.getRequestURI().getPath());
            if (!m.matches() || !query.startsWith("api-version=") || query.length() == "api-version=".length()) {
                error(ex, 404, "{\"error\":{\"code\":\"404\",\"message\":\"Resource not found\"}}", Map.of());
                return;
            }
            if (!authorized(ex)) {
                error(ex, 401, "{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to invalid subscription key "
                        + "or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a "
                        + "correct regional API endpoint for your resource.\"}}", Map.of());
                return;
            }
            if (!DEPLOYMENT.equals(m.group(1))) {
                error(ex, 404, "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this "
                        + "resource does not exist. If you created the deployment within the last 5 minutes, please "
                        + "wait a moment and try again.\"}}", Map.of());
                return;
            }
            if (m.group(2).equals("embeddings")) {
                send(ex, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                        + "\"embedding\":[0.1,-0.2]}],\"model\":\"text-embedding-3-small\","
                        + "\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}");
                return;
            }
            String prompt = body.path("messages").toString();
            if (prompt.contains("trigger-429")) {
                error(ex, 429, "{\"error\":{\"code\":\"429\",\"message\":\"Requests to the ChatCompletions_Create "
                        + "Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your "
                        + "current OpenAI S0 pricing tier. Please retry after 7 seconds.\"}}", Map.of("Retry-After", "7"));
                return;
            }
            if (prompt.contains("trigger-filter")) {
                error(ex, 400, "{\"error\":{\"message\":\"The response was filtered due to the prompt triggering Azure "
                        + "OpenAI's content management policy. Please modify your prompt and retry.\",\"type\":null,"
                        + "\"param\":\"prompt\",\"code\":\"content_filter\",\"status\":400,\"innererror\":{\"code\":"
                        + "\"ResponsibleAIPolicyViolation\",\"content_filter_result\":{\"hate\":{\"filtered\":false,"
                        + "\"severity\":\"safe\"},\"violence\":{\"filtered\":true,\"severity\":\"high\"}}}}}", Map.of());
                return;
            }
            if (body.path("stream").asBoolean(false)) {
                stream(ex, body.path("stream_options").path("include_usage").asBoolean(false));
            } else {
                send(ex, 200, "application/json", "{\"id\":\"chatcmpl-az1\",\"object\":\"chat.completion\","
                        + "\"created\":1700000000,\"model\":\"gpt-4o-2024-08-06\",\"prompt_filter_results\":[{\"prompt_index\":0,"
                        + "\"content_filter_results\":{}}],\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello from Azure\"},"
                        + "\"content_filter_results\":{}}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,"
                        + "\"total_tokens\":14}}");
            }
        } catch (RuntimeException e) {
            error(ex, 500, "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"" + e + "\"}}", Map.of());
        }
    }

    private static boolean authorized(HttpExchange ex) {
        String key = ex.getRequestHeaders().getFirst("api-key");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        return KEY.equals(key) || ("Bearer " + AD_TOKEN).equals(auth);
    }

    private static void stream(HttpExchange ex, boolean includeUsage) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        String head = "\"id\":\"chatcmpl-az2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"gpt-4o-2024-08-06\"";
        // With include_usage, Azure (like OpenAI) sends "usage": null on every chunk but the last.
        String nullUsage = includeUsage ? ",\"usage\":null" : "";
        event(out, "{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":"
                + "[{\"prompt_index\":0,\"content_filter_results\":{}}]}");
        event(out, "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"finish_reason\":null}]" + nullUsage + "}");
        event(out, "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null,"
                + "\"content_filter_results\":{}}]" + nullUsage + "}");
        event(out, "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]"
                + nullUsage + "}");
        if (includeUsage) {
            event(out, "{" + head + ",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,"
                    + "\"total_tokens\":10}}");
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void error(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        send(ex, status, "application/json", body);
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
