package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The three processes of {@code ./tollgate dev} (embedded PostgreSQL inside the control plane's
 * process tree, the control plane, a sidecar) driven over HTTP like a user would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevStackEndToEndTest {

    private static final String PROVIDER_KEY = "sk-provider-CANARY-9b1e2d55aa77";
    private static final String WRONG_PROVIDER_KEY = "sk-wrong-CANARY-0000aaaa1111bbbb";

    private final List<String> virtualKeys = new ArrayList<>();
    private FakeOpenAi upstream;
    private Stack stack;
    private String key;

    @BeforeAll
    void start() throws Exception {
        upstream = new FakeOpenAi(PROVIDER_KEY);
        Path dir = Files.createTempDirectory("tollgate-e2e-dev");
        String config = """
                model_list:
                  - model_name: fast-cheap-chat
                    litellm_params:
                      model: mock/fast-cheap-chat-v1
                  - model_name: real-chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: os.environ/E2E_OPENAI_KEY
                  - model_name: broken-key-chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: os.environ/E2E_WRONG_KEY
                  - model_name: unset-env-chat
                    litellm_params:
                      model: openai/gpt-4o
                      api_key: os.environ/E2E_NOT_SET
                general_settings:
                  master_key: os.environ/TOLLGATE_MASTER_KEY
                """.formatted(upstream.baseUrl());
        stack = new Stack("dev", dir, config, Map.of("E2E_OPENAI_KEY", PROVIDER_KEY, "E2E_WRONG_KEY", WRONG_PROVIDER_KEY));
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
        key = stack.newKey("{\"key_alias\":\"e2e\",\"models\":[\"fast-cheap-chat\",\"real-chat\",\"broken-key-chat\","
                + "\"unset-env-chat\"]}");
        virtualKeys.add(key);
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    @Order(1)
    void devStyleCurlReturnsAChatCompletionWithGatewayHeaders() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("fast-cheap-chat", "Hello!"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Http.json(r);
        assertEquals("chat.completion", body.path("object").asText());
        assertTrue(body.path("choices").get(0).path("message").path("content").asText().contains("Hello!"));
        assertTrue(body.path("usage").path("total_tokens").asLong() > 0);
        assertEquals("fast-cheap-chat", r.headers().firstValue("x-tollgate-alias").orElse(""));
        assertEquals("fast-cheap-chat#0", r.headers().firstValue("x-tollgate-deployment").orElse(""));
        assertTrue(r.headers().firstValue("x-tollgate-request-id").isPresent());
    }

    @Test
    @Order(2)
    void openAiDeploymentIsCalledWithItsModelAndCredential() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/chat/completions", key,
                stack.chat("real-chat", "hi"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("fake answer from gpt-4o-mini",
                Http.json(r).path("choices").get(0).path("message").path("content").asText());
    }

    @Test
    @Order(3)
    void providerRejectingTheCredentialNamesDeploymentAndAliasButNotTheKey() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("broken-key-chat", "hi"));
        assertEquals(401, r.statusCode());
        JsonNode error = Http.json(r).path("error");
        assertEquals("provider_auth_error", error.path("code").asText());
        String message = error.path("message").asText();
        assertTrue(message.contains("broken-key-chat#0") && message.contains("alias 'broken-key-chat'"), message);
        assertTrue(message.contains("rejected the deployment's credential"), message);
        assertFalse(r.body().contains(WRONG_PROVIDER_KEY.substring(0, 6) + "***"), r.body());
        assertFalse(r.body().contains(WRONG_PROVIDER_KEY.substring(WRONG_PROVIDER_KEY.length() - 4)), r.body());
        assertFalse(r.headers().map().toString().contains("CANARY"));
    }

    @Test
    @Order(4)
    void missingEnvironmentVariableIsNamedInTheError() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("unset-env-chat", "hi"));
        assertEquals(500, r.statusCode());
        JsonNode error = Http.json(r).path("error");
        assertEquals("missing_credential", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("E2E_NOT_SET"), error.toString());
    }

    @Test
    @Order(5)
    void badRequestsGetTheOpenAiEnvelopeWithTheRightStatus() throws Exception {
        String chat = stack.sidecarUrl() + "/v1/chat/completions";
        assertError(Http.post(chat, key, "{\"model\":"), 400, "invalid_json");
        assertError(Http.post(chat, key, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400, "invalid_request");
        assertError(Http.post(chat, key, "{\"model\":\"fast-cheap-chat\"}"), 400, "invalid_request");
        HttpResponse<String> unknown = Http.post(chat, key, stack.chat("no-such-alias", "x"));
        assertError(unknown, 404, "model_not_found");
        assertTrue(Http.json(unknown).path("error").path("message").asText().contains("fast-cheap-chat"));
        assertError(Http.post(chat, null, stack.chat("fast-cheap-chat", "x")), 401, "missing_api_key");
        assertError(Http.post(chat, "sk-not-a-real-key", stack.chat("fast-cheap-chat", "x")), 401, "invalid_api_key");
        String narrow = stack.newKey("{\"key_alias\":\"narrow\",\"models\":[\"real-chat\"]}");
        virtualKeys.add(narrow);
        assertError(Http.post(chat, narrow, stack.chat("fast-cheap-chat", "x")), 403, "model_not_allowed");
    }

    @Test
    @Order(6)
    void deletedKeyIsRefusedWithin1Second() throws Exception {
        String doomed = stack.newKey("{\"key_alias\":\"doomed\"}");
        virtualKeys.add(doomed);
        String chat = stack.sidecarUrl() + "/v1/chat/completions";
        assertEquals(200, Http.post(chat, doomed, stack.chat("fast-cheap-chat", "x")).statusCode());
        HttpResponse<String> deleted = Http.post(stack.admin() + "/key/delete", Stack.MASTER_KEY,
                "{\"keys\":[\"" + doomed + "\"]}");
        assertEquals(200, deleted.statusCode(), deleted.body());
        long deletedAt = System.nanoTime();
        assertTrue(Http.await(Duration.ofSeconds(1),
                () -> Stack.status(() -> Http.post(chat, doomed, stack.chat("fast-cheap-chat", "x"))) == 401),
                "deleted key still accepted 1 s after /key/delete");
        assertTrue(System.nanoTime() - deletedAt < Duration.ofSeconds(1).toNanos());
    }

    @Test
    @Order(7)
    void everyProxiedRequestLandsAsOneUsageRow() throws Exception {
        String counted = stack.newKey("{\"key_alias\":\"counted\"}");
        virtualKeys.add(counted);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, Http.post(stack.sidecarUrl() + "/v1/chat/completions", counted,
                    stack.chat("fast-cheap-chat", "count " + i)).statusCode());
        }
        assertTrue(Http.await(Duration.ofSeconds(10), () -> rows(counted) == 5), "usage rows: " + rows(counted));
        JsonNode row = stack.spendLogs("?api_key=" + counted).get(0);
        assertEquals("fast-cheap-chat", row.path("model_group").asText());
        assertEquals("mock", row.path("custom_llm_provider").asText());
        assertEquals(200, row.path("status").asInt());
        assertTrue(row.path("total_tokens").asLong() > 0);
    }

    private int rows(String virtualKey) {
        try {
            return stack.spendLogs("?api_key=" + virtualKey).size();
        } catch (IOException | IllegalStateException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    @Order(100)
    void noKeyOrTokenAppearsInAnyLogLine() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(Stack.MASTER_KEY, Stack.SIDECAR_TOKEN, PROVIDER_KEY,
                WRONG_PROVIDER_KEY, WRONG_PROVIDER_KEY.substring(0, 6) + "***"));
        secrets.addAll(virtualKeys);
        for (Path log : List.of(stack.controlPlane.log(), stack.sidecar.log())) {
            String text = Files.readString(log);
            assertTrue(text.contains("policy version"), "log " + log + " looks empty");
            for (String secret : secrets) {
                assertFalse(text.contains(secret), "a secret appears in " + log);
            }
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = Http.json(r).path("error");
        assertEquals(code, error.path("code").asText(), r.body());
        assertFalse(error.path("message").asText().isEmpty());
        assertTrue(error.has("type") && error.has("param"), r.body());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    }
}
