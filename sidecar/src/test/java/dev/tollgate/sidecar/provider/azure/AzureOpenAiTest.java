package dev.tollgate.sidecar.provider.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.testing.SseData;
import dev.tollgate.sidecar.testing.TestSidecar;
import dev.tollgate.sidecar.testing.UsageRecords;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AzureOpenAiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "{\"model\":\"az\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeAzureOpenAi azure;

    @BeforeEach
    void start() throws Exception {
        azure = new FakeAzureOpenAi();
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    private Deployment deployment(String model, String key, Map<String, String> params) {
        return TestSidecar.deployment("az", "azure", model, azure.base() + "/", key, params);
    }

    private Deployment standard() {
        return deployment(FakeAzureOpenAi.DEPLOYMENT, FakeAzureOpenAi.KEY, Map.of("api_version", "2024-10-21"));
    }

    @Test
    void chatGoesToTheDeploymentUrlWithApiVersionAndApiKeyHeader() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(standard())) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = JSON.readTree(r.body());
            assertEquals("Hello from Azure", body.at("/choices/0/message/content").asText());
            assertEquals("stop", body.at("/choices/0/finish_reason").asText());
            FakeAzureOpenAi.Seen seen = azure.seen.get(0);
            assertEquals("/openai/deployments/gpt4o-prod/chat/completions", seen.path());
            assertEquals("api-version=2024-10-21", seen.query());
            assertEquals(FakeAzureOpenAi.KEY, seen.apiKey());
            assertNull(seen.authorization());
            assertEquals(11, UsageRecords.await(sidecar, 0).getPromptTokens());
            assertEquals(3, UsageRecords.await(sidecar, 0).getCompletionTokens());
        }
    }

    @Test
    void streamIsRelayedInOrderWithUsageOnlyWhenAskedFor() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(standard())) {
            HttpResponse<String> plain = sidecar.post("/v1/chat/completions",
                    "{\"model\":\"az\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            List<String> data = SseData.of(plain.body());
            assertEquals("[DONE]", data.get(data.size() - 1));
            assertTrue(data.stream().noneMatch(d -> d.contains("\"prompt_tokens\"")), plain.body());
            assertTrue(azure.seen.get(0).body().at("/stream_options/include_usage").asBoolean(),
                    "usage is always requested so the usage record is exact");
            assertEquals(9, UsageRecords.await(sidecar, 0).getPromptTokens());

            HttpResponse<String> withUsage = sidecar.post("/v1/chat/completions", "{\"model\":\"az\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            List<String> chunks = SseData.of(withUsage.body());
            JsonNode last = JSON.readTree(chunks.get(chunks.size() - 2));
            assertEquals(10, last.at("/usage/total_tokens").asInt());
            assertEquals("Hi", JSON.readTree(chunks.get(2)).at("/choices/0/delta/content").asText());
        }
    }

    @Test
    void wrongApiKeyIs401ProviderAuthErrorWithoutTheKey() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(deployment(FakeAzureOpenAi.DEPLOYMENT, "wrong-key-123456",
                Map.of("api_version", "2024-10-21")))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(401, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("provider_auth_error", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("Access denied due to invalid subscription key"));
            assertFalse(r.body().contains("wrong-key-123456"));
        }
    }

    @Test
    void azureAdTokenParamIsSentAsBearerInsteadOfApiKey() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(deployment(FakeAzureOpenAi.DEPLOYMENT, "",
                Map.of("api_version", "2024-10-21", "azure_ad_token", FakeAzureOpenAi.AD_TOKEN)))) {
            assertEquals(200, sidecar.post("/v1/chat/completions", HELLO).statusCode());
            assertEquals("Bearer " + FakeAzureOpenAi.AD_TOKEN, azure.seen.get(0).authorization());
            assertNull(azure.seen.get(0).apiKey());
        }
    }

    @Test
    void apiKeyStartingWithBearerIsSentAsAuthorization() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(deployment(FakeAzureOpenAi.DEPLOYMENT,
                "Bearer " + FakeAzureOpenAi.AD_TOKEN, Map.of("api_version", "2024-10-21")))) {
            assertEquals(200, sidecar.post("/v1/chat/completions", HELLO).statusCode());
            assertEquals("Bearer " + FakeAzureOpenAi.AD_TOKEN, azure.seen.get(0).authorization());
            assertNull(azure.seen.get(0).apiKey());
        }
    }

    @Test
    void missingApiVersionIs500ConfigurationErrorNamingApiVersion() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(deployment(FakeAzureOpenAi.DEPLOYMENT, FakeAzureOpenAi.KEY,
                Map.of()))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(500, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("configuration_error", error.path("type").asText());
            assertEquals("api_version", error.path("param").asText());
            assertTrue(error.path("message").asText().contains("api_version"));
            assertTrue(azure.seen.isEmpty(), "no call is made without an api-version");
        }
    }

    @Test
    void missingApiBaseIs500ConfigurationErrorNamingApiBase() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(TestSidecar.deployment("az", "azure", FakeAzureOpenAi.DEPLOYMENT,
                "", FakeAzureOpenAi.KEY, Map.of("api_version", "2024-10-21")))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(500, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("configuration_error", error.path("type").asText());
            assertEquals("api_base", error.path("param").asText());
        }
    }

    @Test
    void contentFilterRefusalIs400ContentPolicyViolation() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(standard())) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                    "{\"model\":\"az\",\"messages\":[{\"role\":\"user\",\"content\":\"trigger-filter\"}]}");
            assertEquals(400, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("content_policy_violation", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("content management policy"));
        }
    }

    @Test
    void unknownDeploymentIs404ProviderModelNotFound() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(deployment("no-such-deployment", FakeAzureOpenAi.KEY,
                Map.of("api_version", "2024-10-21")))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", HELLO);
            assertEquals(404, r.statusCode());
            assertEquals("provider_model_not_found", JSON.readTree(r.body()).at("/error/code").asText());
            assertTrue(r.body().contains("The API deployment for this resource does not exist"));
        }
    }

    @Test
    void rateLimitIs429KeepingRetryAfter() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(standard())) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                    "{\"model\":\"az\",\"messages\":[{\"role\":\"user\",\"content\":\"trigger-429\"}]}");
            assertEquals(429, r.statusCode());
            assertEquals("provider_rate_limited", JSON.readTree(r.body()).at("/error/code").asText());
            assertEquals("7", r.headers().firstValue("retry-after").orElse(""));
        }
    }

    @Test
    void embeddingsGoToTheDeploymentEmbeddingsUrl() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(standard())) {
            HttpResponse<String> r = sidecar.post("/v1/embeddings", "{\"model\":\"az\",\"input\":\"hello\"}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("/openai/deployments/gpt4o-prod/embeddings", azure.seen.get(0).path());
            assertEquals(2, JSON.readTree(r.body()).at("/data/0/embedding").size());
            assertEquals(3, UsageRecords.await(sidecar, 0).getPromptTokens());
        }
    }
}
