package dev.tollgate.sidecar.provider.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.SseData;
import dev.tollgate.sidecar.testing.TestSidecar;
import dev.tollgate.sidecar.testing.UsageRecords;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Google's error bodies become the gateway's error catalogue, quoting Google and never the key. */
class GeminiErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeGoogle google;

    @BeforeEach
    void start() throws Exception {
        google = new FakeGoogle(FakeGoogle.Flavor.AI_STUDIO);
    }

    @AfterEach
    void stop() {
        google.close();
    }

    private HttpResponse<String> ask(String key, String model, String prompt) throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("g", "gemini", model, google.base(), key, Map.of()))) {
            return sidecar.post("/v1/chat/completions",
                    "{\"model\":\"g\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}");
        }
    }

    private static JsonNode error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error");
    }

    @Test
    void wrongApiKeyAnswered400ByGoogleIs401ProviderAuthErrorWithoutTheKey() throws Exception {
        HttpResponse<String> r = ask("AIzaSyWRONG-key-99999999999", FakeGoogle.MODEL, "hi");
        assertEquals(401, r.statusCode());
        assertEquals("provider_auth_error", error(r).path("code").asText());
        assertTrue(error(r).path("message").asText().contains("API key not valid"));
        assertFalse(r.body().contains("AIzaSyWRONG"));
    }

    @Test
    void missingApiKeyIs401ProviderAuthError() throws Exception {
        HttpResponse<String> r = ask("", FakeGoogle.MODEL, "hi");
        assertEquals(401, r.statusCode());
        assertEquals("provider_auth_error", error(r).path("code").asText());
        assertTrue(error(r).path("message").asText().contains("unregistered callers"));
    }

    @Test
    void unknownModelIs404ProviderModelNotFound() throws Exception {
        HttpResponse<String> r = ask(FakeGoogle.API_KEY, "gemini-9-ultra", "hi");
        assertEquals(404, r.statusCode());
        assertEquals("provider_model_not_found", error(r).path("code").asText());
        assertTrue(error(r).path("message").asText().contains("models/gemini-9-ultra is not found"));
    }

    @Test
    void quotaExhaustedIs429WithRetryAfterFromRetryInfo() throws Exception {
        HttpResponse<String> r = ask(FakeGoogle.API_KEY, FakeGoogle.MODEL, "trigger-429");
        assertEquals(429, r.statusCode());
        assertEquals("provider_rate_limited", error(r).path("code").asText());
        assertEquals("17", r.headers().firstValue("retry-after").orElse(""));
    }

    @Test
    void promptOverTheContextWindowIs400ContextLengthExceeded() throws Exception {
        HttpResponse<String> r = ask(FakeGoogle.API_KEY, FakeGoogle.MODEL, "trigger-long");
        assertEquals(400, r.statusCode());
        assertEquals("context_length_exceeded", error(r).path("code").asText());
        assertTrue(error(r).path("message").asText().contains("exceeds the maximum number of tokens"));
    }

    @Test
    void permissionDeniedIs403AndTheQuotedKeyIsRedacted() throws Exception {
        HttpResponse<String> r = ask(FakeGoogle.API_KEY, FakeGoogle.MODEL, "trigger-403");
        assertEquals(403, r.statusCode());
        assertEquals("provider_permission_denied", error(r).path("code").asText());
        assertTrue(error(r).path("message").asText().contains("has been suspended"));
        assertFalse(r.body().contains(FakeGoogle.API_KEY));
    }

    @Test
    void internalErrorIs502AndOverloadedIs503() throws Exception {
        HttpResponse<String> internal = ask(FakeGoogle.API_KEY, FakeGoogle.MODEL, "trigger-500");
        assertEquals(502, internal.statusCode());
        assertEquals("provider_error", error(internal).path("code").asText());
        HttpResponse<String> overloaded = ask(FakeGoogle.API_KEY, FakeGoogle.MODEL, "trigger-503");
        assertEquals(503, overloaded.statusCode());
        assertEquals("provider_overloaded", error(overloaded).path("code").asText());
        assertTrue(error(overloaded).path("message").asText().contains("The model is overloaded"));
    }

    @Test
    void errorMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("g", "gemini", FakeGoogle.MODEL, google.base(), FakeGoogle.API_KEY, Map.of()))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", "{\"model\":\"g\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"trigger-midstream-error\"}]}");
            assertEquals(200, r.statusCode());
            List<String> data = SseData.of(r.body());
            assertEquals("Hello", GeminiChatTest.parse(data.get(0)).at("/choices/0/delta/content").asText());
            JsonNode last = GeminiChatTest.parse(data.get(data.size() - 1));
            assertEquals("provider_stream_error", last.at("/error/code").asText());
            assertTrue(last.at("/error/message").asText().contains("overloaded"));
            assertEquals(502, UsageRecords.await(sidecar, 0).getHttpStatus());
        }
    }

    @Test
    void streamEndingWithoutAFinishReasonEndsWithAnErrorEvent() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("g", "gemini", FakeGoogle.MODEL, google.base(), FakeGoogle.API_KEY, Map.of()))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", "{\"model\":\"g\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"trigger-truncated\"}]}");
            List<String> data = SseData.of(r.body());
            JsonNode last = GeminiChatTest.parse(data.get(data.size() - 1));
            assertEquals("provider_stream_error", last.at("/error/code").asText());
            assertTrue(last.at("/error/message").asText().contains("before a finish reason"));
        }
    }

    @Test
    void errorBeforeTheStreamStartsIsAPlainHttpError() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("g", "gemini", FakeGoogle.MODEL, google.base(), "AIzaSyWRONG-0000000", Map.of()))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", "{\"model\":\"g\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(401, r.statusCode());
            assertEquals("provider_auth_error", error(r).path("code").asText());
        }
    }
}
