package dev.tollgate.sidecar.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each Anthropic error class, through the sidecar, to the gateway's status and code with Anthropic's words. */
class AnthropicErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    private FakeAnthropic fake;
    private TestSidecar sidecar;

    private void start(String key) throws Exception {
        fake = new FakeAnthropic();
        sidecar = new TestSidecar(TestSidecar.deployment("claude", "anthropic", "claude-sonnet-4-5", fake.base(),
                key, Map.of()));
    }

    @AfterEach
    void stop() {
        sidecar.close();
        fake.close();
    }

    private JsonNode error(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals(code, error.path("code").asText(), r.body());
        assertTrue(error.path("message").asText().contains("Deployment 'claude#0' (provider anthropic)"), r.body());
        assertFalse(r.body().contains(FakeAnthropic.KEY));
        assertFalse(r.body().contains("wrong-key-0123456789"));
        return error;
    }

    private JsonNode scripted(int status, String type, String message, Map<String, String> headers, int expectStatus,
                              String expectCode) throws Exception {
        start(FakeAnthropic.KEY);
        fake.reply = FakeAnthropic.Reply.error(status, type, message, headers);
        JsonNode error = error(sidecar.post("/v1/chat/completions", CHAT), expectStatus, expectCode);
        assertTrue(error.path("message").asText().contains(message), error.toString());
        return error;
    }

    @Test
    void wrongUpstreamKeyIs401ProviderAuthErrorQuotingAnthropicWithoutTheKey() throws Exception {
        start("sk-ant-wrong-key-0123456789");
        JsonNode error = error(sidecar.post("/v1/chat/completions", CHAT), 401, "provider_auth_error");
        assertTrue(error.path("message").asText().contains("invalid x-api-key"), error.toString());
    }

    @Test
    void missingUpstreamKeyIs401NamingTheMissingHeader() throws Exception {
        start("");
        JsonNode error = error(sidecar.post("/v1/chat/completions", CHAT), 401, "provider_auth_error");
        assertTrue(error.path("message").asText().contains("x-api-key header is required"), error.toString());
    }

    @Test
    void permissionErrorIs403() throws Exception {
        scripted(403, "permission_error", "Your API key does not have permission to use the specified resource.",
                Map.of(), 403, "provider_permission_denied");
    }

    @Test
    void unknownModelIs404() throws Exception {
        scripted(404, "not_found_error", "model: claude-nope", Map.of(), 404, "provider_model_not_found");
    }

    @Test
    void rateLimitIs429KeepingRetryAfter() throws Exception {
        scripted(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit",
                Map.of("retry-after", "17"), 429, "provider_rate_limited");
    }

    @Test
    void rateLimitHeaderReachesTheClient() throws Exception {
        start(FakeAnthropic.KEY);
        fake.reply = FakeAnthropic.Reply.error(429, "rate_limit_error", "slow down", Map.of("retry-after", "17"));
        HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT);
        assertEquals("17", r.headers().firstValue("retry-after").orElse(""));
    }

    @Test
    void overloadedIs503ProviderOverloaded() throws Exception {
        scripted(529, "overloaded_error", "Overloaded", Map.of(), 503, "provider_overloaded");
    }

    @Test
    void promptTooLongIs400ContextLengthExceeded() throws Exception {
        JsonNode error = scripted(400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum",
                Map.of(), 400, "context_length_exceeded");
        assertEquals("messages", error.path("param").asText());
    }

    @Test
    void contentFilteringIs400ContentPolicyViolation() throws Exception {
        scripted(400, "invalid_request_error", "Output blocked by content filtering policy", Map.of(), 400,
                "content_policy_violation");
    }

    @Test
    void otherInvalidRequestIs400ProviderBadRequest() throws Exception {
        scripted(400, "invalid_request_error", "temperature: Input should be less than or equal to 1", Map.of(), 400,
                "provider_bad_request");
    }

    @Test
    void internalErrorIs502ProviderError() throws Exception {
        scripted(500, "api_error", "Internal server error", Map.of(), 502, "provider_error");
    }

    @Test
    void errorBeforeTheFirstEventIsAPlainHttpErrorForStreams() throws Exception {
        start(FakeAnthropic.KEY);
        fake.reply = FakeAnthropic.Reply.error(529, "overloaded_error", "Overloaded", Map.of());
        HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                "{\"model\":\"claude\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        error(r, 503, "provider_overloaded");
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    }

    @Test
    void unreachableApiBaseIs502ProviderUnreachable() throws Exception {
        start(FakeAnthropic.KEY);
        int port = java.net.URI.create(fake.base()).getPort();
        fake.close();
        sidecar.install(TestSidecar.snapshot(2, TestSidecar.deployment("claude", "anthropic", "claude-sonnet-4-5",
                "http://127.0.0.1:" + port, FakeAnthropic.KEY, Map.of())));
        error(sidecar.post("/v1/chat/completions", CHAT), 502, "provider_unreachable");
    }
}
