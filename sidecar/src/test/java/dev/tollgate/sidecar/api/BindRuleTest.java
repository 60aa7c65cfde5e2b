package dev.tollgate.sidecar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sidecar's bind rule: every API route needs a virtual key wherever it listens; bound off
 * loopback, {@code /metrics} needs one too, while health stays open for probes.
 */
class BindRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> call(int port, String method, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\","
                                + "\"content\":\"hi\"}],\"input\":\"hi\",\"max_tokens\":5}"));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error").path("code").asText();
    }

    @Test
    void offLoopbackEveryApiRouteAndMetricsNeedAKeyButHealthDoesNot() throws Exception {
        try (TestSidecar sidecar = new TestSidecar("0.0.0.0", ServerLimits.DEFAULT,
                TestSidecar.deployment("chat", "mock", "mock-v1", "", "", Map.of()))) {
            int port = sidecar.port();
            for (String route : List.of("GET /v1/models", "GET /models", "POST /v1/chat/completions",
                    "POST /chat/completions", "POST /v1/embeddings", "POST /embeddings", "POST /v1/messages",
                    "POST /messages", "GET /metrics")) {
                String[] parts = route.split(" ");
                HttpResponse<String> refused = call(port, parts[0], parts[1], null);
                assertEquals(401, refused.statusCode(), route + ": " + refused.body());
                if (!route.contains("messages")) { // /v1/messages answers in Anthropic's envelope
                    assertEquals("missing_api_key", code(refused), route + ": " + refused.body());
                }
                HttpResponse<String> wrong = call(port, parts[0], parts[1], "sk-not-a-key");
                assertEquals(401, wrong.statusCode(), route + ": " + wrong.body());
            }
            HttpResponse<String> metrics = call(port, "GET", "/metrics", TestSidecar.KEY);
            assertEquals(200, metrics.statusCode(), metrics.body());
            assertTrue(metrics.body().contains("tollgate_policy_version"), metrics.body());
            assertEquals(200, call(port, "GET", "/v1/models", TestSidecar.KEY).statusCode());
            assertEquals(200, call(port, "GET", "/health/liveliness", null).statusCode());
            assertEquals(200, call(port, "GET", "/health/readiness", null).statusCode());
        }
    }

    @Test
    void onLoopbackMetricsStayOpenButTheApiStillNeedsAKey() throws Exception {
        try (TestSidecar sidecar = new TestSidecar("127.0.0.1", ServerLimits.DEFAULT,
                TestSidecar.deployment("chat", "mock", "mock-v1", "", "", Map.of()))) {
            assertEquals(200, call(sidecar.port(), "GET", "/metrics", null).statusCode());
            assertEquals(401, call(sidecar.port(), "GET", "/v1/models", null).statusCode());
            assertEquals(401, call(sidecar.port(), "POST", "/v1/chat/completions", null).statusCode());
        }
    }
}
