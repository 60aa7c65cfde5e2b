package dev.tollgate.sidecar.provider.vertex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.provider.gemini.FakeGoogle;
import dev.tollgate.sidecar.testing.SseData;
import dev.tollgate.sidecar.testing.TestSidecar;
import dev.tollgate.sidecar.testing.UsageRecords;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** vertex_ai/ through a real sidecar against a fake Vertex AI endpoint. */
class VertexAiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "{\"model\":\"v\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeGoogle vertex;

    @BeforeEach
    void start() throws Exception {
        vertex = new FakeGoogle(FakeGoogle.Flavor.VERTEX);
    }

    @AfterEach
    void stop() {
        vertex.close();
    }

    private TestSidecar sidecar(String model, String token, Map<String, String> params) {
        return new TestSidecar(TestSidecar.deployment("v", "vertex_ai", model, vertex.base(), token, params));
    }

    private TestSidecar standard() {
        return sidecar(FakeGoogle.MODEL, FakeGoogle.TOKEN,
                Map.of("vertex_project", FakeGoogle.PROJECT, "vertex_location", "europe-west4"));
    }

    @Test
    void chatGoesToTheProjectAndLocationUrlWithABearerToken() throws Exception {
        try (TestSidecar sidecar = standard()) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("Hello from Gemini", JSON.readTree(r.body()).at("/choices/0/message/content").asText());
            FakeGoogle.Seen seen = vertex.seen.get(0);
            assertEquals("/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash"
                    + ":generateContent", seen.path());
            assertEquals("Bearer " + FakeGoogle.TOKEN, seen.authorization());
            assertNull(seen.apiKey());
            assertEquals(12, UsageRecords.await(sidecar, 0).getPromptTokens());
            assertEquals(4, UsageRecords.await(sidecar, 0).getCompletionTokens());
        }
    }

    @Test
    void locationDefaultsToUsCentral1() throws Exception {
        try (TestSidecar sidecar = sidecar(FakeGoogle.MODEL, FakeGoogle.TOKEN,
                Map.of("vertex_project", FakeGoogle.PROJECT))) {
            assertEquals(200, sidecar.post("/v1/chat/completions", HELLO).statusCode());
            assertTrue(vertex.seen.get(0).path().contains("/locations/us-central1/"));
        }
    }

    @Test
    void streamUsesStreamGenerateContentAsSse() throws Exception {
        try (TestSidecar sidecar = standard()) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", "{\"model\":\"v\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertTrue(vertex.seen.get(0).path().endsWith(":streamGenerateContent"));
            assertEquals("alt=sse", vertex.seen.get(0).query());
            List<String> data = SseData.of(r.body());
            assertEquals("[DONE]", data.get(data.size() - 1));
            assertEquals(16, JSON.readTree(data.get(data.size() - 2)).at("/usage/total_tokens").asInt());
        }
    }

    @Test
    void functionCallsBecomeToolCalls() throws Exception {
        try (TestSidecar sidecar = standard()) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", "{\"model\":\"v\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"trigger-tools\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
                    + "\"get_weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]}");
            JsonNode choice = JSON.readTree(r.body()).at("/choices/0");
            assertEquals("tool_calls", choice.path("finish_reason").asText());
            assertEquals(2, choice.at("/message/tool_calls").size());
        }
    }

    @Test
    void rejectedTokenIs401ProviderAuthErrorWithoutTheToken() throws Exception {
        try (TestSidecar sidecar = sidecar(FakeGoogle.MODEL, "ya29.expired-token-000000",
                Map.of("vertex_project", FakeGoogle.PROJECT))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(401, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("provider_auth_error", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("Expected OAuth 2 access token"));
            assertFalse(r.body().contains("ya29.expired-token-000000"));
        }
    }

    @Test
    void projectWithoutAccessIs403ProviderPermissionDenied() throws Exception {
        try (TestSidecar sidecar = sidecar(FakeGoogle.MODEL, FakeGoogle.TOKEN, Map.of("vertex_project", "other"))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(403, r.statusCode());
            assertEquals("provider_permission_denied", JSON.readTree(r.body()).at("/error/code").asText());
        }
    }

    @Test
    void missingVertexProjectIs500ConfigurationErrorNamingIt() throws Exception {
        try (TestSidecar sidecar = sidecar(FakeGoogle.MODEL, FakeGoogle.TOKEN, Map.of())) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(500, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("configuration_error", error.path("type").asText());
            assertEquals("vertex_project", error.path("param").asText());
            assertTrue(vertex.seen.isEmpty());
        }
    }

    @Test
    void embeddingsUsePredictAndReportedTokenCounts() throws Exception {
        try (TestSidecar sidecar = sidecar("text-embedding-005", FakeGoogle.TOKEN,
                Map.of("vertex_project", FakeGoogle.PROJECT))) {
            HttpResponse<String> r = sidecar.post("/v1/embeddings", "{\"model\":\"v\",\"input\":[\"ab\",\"abc\"]}");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(vertex.seen.get(0).path().endsWith("/models/text-embedding-005:predict"));
            JsonNode body = JSON.readTree(r.body());
            assertEquals(2, body.path("data").size());
            assertEquals(3.0, body.at("/data/1/embedding/0").asDouble());
            assertEquals(5, body.at("/usage/prompt_tokens").asInt());
        }
    }
}
