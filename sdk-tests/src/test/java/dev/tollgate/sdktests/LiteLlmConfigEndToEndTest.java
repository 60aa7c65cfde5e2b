package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A config written for LiteLLM's proxy (control-plane/src/test/resources/litellm/openai-compatible.yaml),
 * copied unchanged, runs a real control plane and sidecar: its aliases route, and the fields Tollgate
 * ignores are named in one start-up warning.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiteLlmConfigEndToEndTest {

    static final Path FIXTURE = JarProcess.ROOT.resolve("control-plane/src/test/resources/litellm/openai-compatible.yaml");
    private static final String UPSTREAM_KEY = "sk-compatible-CANARY-2b7d";

    private FakeOpenAi upstream;
    private Stack stack;
    private String key;
    /** Where this run's lines start: JarProcess appends to the log of earlier runs. */
    private long logStart;

    @BeforeAll
    void start() throws Exception {
        Path log = JarProcess.LOGS.resolve("litellm-control-plane.log");
        logStart = Files.exists(log) ? Files.size(log) : 0;
        upstream = new FakeOpenAi(UPSTREAM_KEY);
        stack = new Stack("litellm", Files.createTempDirectory("tollgate-litellm"), Files.readString(FIXTURE),
                Map.of("OPENAI_COMPATIBLE_API_BASE", upstream.baseUrl(), "OPENAI_COMPATIBLE_API_KEY", UPSTREAM_KEY));
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
        key = stack.newKey("{\"key_alias\":\"litellm-app\"}");
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
    void aliasOnAnOpenAiCompatibleServerRoutesWithBaseUrlAndKeyFromTheEnvironment() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key, stack.chat("my-chat", "hi"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("fake answer from gpt-4o-mini",
                Http.json(r).path("choices").get(0).path("message").path("content").asText());
        assertEquals("my-chat#0", r.headers().firstValue("x-tollgate-deployment").orElse(""));
    }

    @Test
    void mockedAliasAnswersWithItsMockResponse() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("my-chat-mocked", "hi"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Hello from a LiteLLM-shaped config",
                Http.json(r).path("choices").get(0).path("message").path("content").asText());
    }

    @Test
    void embeddingAliasAnswers() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/embeddings", key,
                "{\"model\":\"my-embed\",\"input\":\"hello\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode vector = Http.json(r).path("data").get(0).path("embedding");
        assertEquals(8, vector.size());
    }

    @Test
    void ignoredFieldsAreNamedInOneStartupWarning() throws Exception {
        assertTrue(Http.await(Duration.ofSeconds(5), () -> log().contains("litellm_settings.success_callback")));
        String log = log();
        int at = log.indexOf("config: 3 field(s) have no effect in Tollgate and are ignored:");
        assertTrue(at >= 0, log);
        String warning = log.substring(at);
        assertTrue(warning.contains("model_list[0].model_info.id: deployment ids are <model_name>#<position>"), warning);
        assertTrue(warning.contains("model_list[0,2].model_info.mode: "), warning);
        assertTrue(warning.contains("litellm_settings.success_callback: logging callbacks do not run"), warning);
        assertEquals(1, log.split("have no effect in Tollgate", -1).length - 1, "the warning is logged once");
    }

    /** This run's control-plane log. */
    private String log() {
        try {
            byte[] all = Files.readAllBytes(stack.controlPlane.log());
            return new String(all, (int) logStart, all.length - (int) logStart, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
