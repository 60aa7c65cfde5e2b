package dev.tollgate.sidecar.provider.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.sidecar.testing.SseData;
import dev.tollgate.sidecar.testing.TestSidecar;
import dev.tollgate.sidecar.testing.UsageRecords;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OpenAI-compatible family: each prefix resolves to the OpenAI relay, and with {@code api_base}
 * set calls {@code {api_base}/chat/completions} with a bearer key. The fake behaves like a strict
 * compatible server (Mistral's): it refuses {@code stream_options} with 422, and always puts usage in
 * the last stream chunk.
 */
class CompatibleFamilyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "compat-key-0123456789";

    private HttpServer server;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<String> auth = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            paths.add(ex.getRequestURI().getPath());
            auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            if (!("Bearer " + KEY).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, "{\"error\":{\"message\":\"Invalid API Key\",\"type\":\"invalid_request_error\","
                        + "\"code\":\"invalid_api_key\"}}");
                return;
            }
            if (body.has("stream_options")) {
                send(ex, 422, "{\"object\":\"error\",\"message\":{\"detail\":[{\"type\":\"extra_forbidden\",\"loc\":"
                        + "[\"body\",\"stream_options\"],\"msg\":\"Extra inputs are not permitted\"}]},"
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}");
                return;
            }
            if (!body.path("stream").asBoolean(false)) {
                send(ex, 200, "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":"
                        + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"compatible\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,"
                        + "\"total_tokens\":5}}");
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            String head = "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":";
            for (String event : List.of(
                    head + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
                    head + "[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":null}]}",
                    head + "[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"stop\"}],\"usage\":"
                            + "{\"prompt_tokens\":6,\"completion_tokens\":2,\"total_tokens\":8}}",
                    "[DONE]")) {
                out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @ParameterizedTest
    @ValueSource(strings = {"groq", "mistral", "deepseek", "together_ai", "openrouter", "fireworks_ai", "hosted_vllm"})
    void eachPrefixCallsApiBaseChatCompletionsWithBearerKey(String prefix) throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("c", prefix, "some-model", base(), KEY, Map.of()))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                    "{\"model\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("compatible", JSON.readTree(r.body()).at("/choices/0/message/content").asText());
            assertEquals(List.of("/v1/chat/completions"), paths);
            assertEquals("Bearer " + KEY, auth.get(0));
            assertEquals(prefix, UsageRecords.await(sidecar, 0).getProvider());
        }
    }

    @Test
    void hostedVllmWithoutApiBaseIs500ConfigurationErrorNamingApiBase() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("c", "hosted_vllm", "meta-llama/Llama-3-8B", "", KEY, Map.of()))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                    "{\"model\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(500, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("configuration_error", error.path("type").asText());
            assertEquals("missing_api_base", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("api_base"));
            assertTrue(paths.isEmpty());
        }
    }

    @Test
    void mistralStreamsWithoutStreamOptionsAndStillRecordsUsage() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("c", "mistral", "mistral-small-latest", base(), KEY, Map.of()))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", "{\"model\":\"c\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, r.statusCode(), r.body());
            List<String> data = SseData.of(r.body());
            assertEquals("[DONE]", data.get(data.size() - 1));
            assertFalse(r.body().contains("extra_forbidden"), r.body());
            assertEquals(8, JSON.readTree(data.get(data.size() - 2)).at("/usage/total_tokens").asInt());
            assertEquals(6, UsageRecords.await(sidecar, 0).getPromptTokens());
            assertEquals(2, UsageRecords.await(sidecar, 0).getCompletionTokens());
        }
    }
}
