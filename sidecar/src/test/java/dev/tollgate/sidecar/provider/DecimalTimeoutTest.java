package dev.tollgate.sidecar.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * LiteLLM configs write {@code timeout} in seconds with decimals ({@code 2.5}, and YAML floats such as
 * {@code 300.0}); the adapters used to parse it as a long and failed every call with internal_error.
 */
class DecimalTimeoutTest {

    private static ProviderCall call(Map<String, String> params) {
        return new ProviderCall(new Failures.Target("a", "a#0", "openai"),
                TestSidecar.deployment("a", "openai", "m", "", "", params), new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode(), "r", false);
    }

    @Test
    void timeoutAcceptsDecimalSecondsAndFallsBackTo600() {
        assertEquals(Duration.ofMillis(2500), call(Map.of("timeout", "2.5")).timeout());
        assertEquals(Duration.ofSeconds(300), call(Map.of("timeout", "300.0")).timeout());
        assertEquals(Duration.ofSeconds(30), call(Map.of("timeout", " 30 ")).timeout());
        assertEquals(ProviderCall.DEFAULT_TIMEOUT, call(Map.of()).timeout());
        assertEquals(ProviderCall.DEFAULT_TIMEOUT, call(Map.of("timeout", "0")).timeout());
        assertEquals(ProviderCall.DEFAULT_TIMEOUT, call(Map.of("timeout", "soon")).timeout());
    }

    @Test
    void openAiDeploymentWithADecimalTimeoutAnswers() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/v1/chat/completions", ex -> {
            byte[] body = ("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{"
                    + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        try (TestSidecar sidecar = new TestSidecar(TestSidecar.deployment("chat", "openai", "m", base, "k",
                Map.of("timeout", "2.5")))) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                    "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, r.statusCode(), r.body());
        } finally {
            upstream.stop(0);
        }
    }
}
