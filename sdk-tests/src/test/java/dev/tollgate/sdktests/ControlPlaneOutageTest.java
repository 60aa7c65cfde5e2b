package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sidecar without its control plane: before the first snapshot, and after it. */
class ControlPlaneOutageTest {

    private static final String CONFIG = """
            model_list:
              - model_name: fast-cheap-chat
                litellm_params:
                  model: mock/fast-cheap-chat-v1
            general_settings:
              master_key: os.environ/TOLLGATE_MASTER_KEY
            """;

    private Stack stack;

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void sidecarWithoutControlPlaneIsNotReadyThenRecoversWhenItStarts() throws Exception {
        stack = new Stack("outage-start", Files.createTempDirectory("tollgate-e2e-outage"), CONFIG, Map.of());
        stack.startSidecar();
        assertTrue(Http.await(Duration.ofSeconds(30), () -> Stack.status(
                () -> Http.get(stack.sidecarUrl() + "/health/readiness", null)) == 503));
        HttpResponse<String> refused = Http.post(stack.sidecarUrl() + "/v1/chat/completions", "sk-anything",
                stack.chat("fast-cheap-chat", "x"));
        assertEquals(503, refused.statusCode());
        JsonNode error = Http.json(refused).path("error");
        assertEquals("no_policy", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("control plane"));

        stack.startControlPlane();
        stack.awaitSidecarReady();
        String key = stack.newKey("{\"key_alias\":\"late\"}");
        assertEquals(200, Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("fast-cheap-chat", "x")).statusCode());
    }

    @Test
    void sidecarKeepsServingWhileControlPlaneIsDownAndUsageArrivesAfterwards() throws Exception {
        stack = new Stack("outage-mid", Files.createTempDirectory("tollgate-e2e-outage"), CONFIG, Map.of());
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
        String key = stack.newKey("{\"key_alias\":\"steady\"}");
        String chat = stack.sidecarUrl() + "/v1/chat/completions";
        for (int i = 0; i < 3; i++) {
            assertEquals(200, Http.post(chat, key, stack.chat("fast-cheap-chat", "before " + i)).statusCode());
        }
        assertTrue(Http.await(Duration.ofSeconds(10), () -> rows(key) == 3));

        stack.controlPlane.stop();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = Http.post(chat, key, stack.chat("fast-cheap-chat", "during " + i));
            assertEquals(200, r.statusCode(), r.body());
        }
        assertEquals(200, Stack.status(() -> Http.get(stack.sidecarUrl() + "/health/readiness", null)));

        stack.startControlPlane();
        assertTrue(Http.await(Duration.ofSeconds(30), () -> rows(key) == 8),
                "usage rows after the control plane came back: " + rows(key));
    }

    private int rows(String key) {
        try {
            return stack.spendLogs("?api_key=" + key).size();
        } catch (IOException | IllegalStateException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
