package dev.tollgate.sidecar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hostile and malformed bodies through the real sidecar: each gets a specific 4xx in the OpenAI
 * envelope, and the server keeps serving well-formed requests afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private TestSidecar sidecar;

    @BeforeAll
    void start() {
        sidecar = new TestSidecar(TestSidecar.deployment("chat", "mock", "mock-v1", "", "", Map.of()));
    }

    @AfterAll
    void stop() {
        sidecar.close();
    }

    private HttpResponse<String> send(HttpRequest.BodyPublisher body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(sidecar.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + TestSidecar.KEY)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertRefused(HttpResponse<String> r, int status, String code, String param) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals(code, error.path("code").asText(), r.body());
        if (param != null) {
            assertEquals(param, error.path("param").asText(), r.body());
        }
        assertTrue(error.path("message").asText().length() > 10);
        // The sidecar is still up and serving.
        HttpResponse<String> ok = sidecar.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"still there?\"}]}");
        assertEquals(200, ok.statusCode(), ok.body());
    }

    private static String chat(String extra) {
        return "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}";
    }

    @Test
    void bodyOverTheLimitWithContentLengthIs413() throws Exception {
        byte[] big = new byte[RequestBodies.MAX_BODY_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        assertRefused(send(HttpRequest.BodyPublishers.ofByteArray(big)), 413, "request_too_large", null);
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        byte[] big = new byte[RequestBodies.MAX_BODY_BYTES + 1024];
        Arrays.fill(big, (byte) ' ');
        assertRefused(send(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))), 413,
                "request_too_large", null);
    }

    @Test
    void deeplyNestedJsonIs400() throws Exception {
        String nested = "[".repeat(10_000) + "]".repeat(10_000);
        assertRefused(send(HttpRequest.BodyPublishers.ofString(chat(",\"metadata\":" + nested))), 400,
                "invalid_json", null);
    }

    @Test
    void hugeNumberIs400() throws Exception {
        assertRefused(send(HttpRequest.BodyPublishers.ofString(chat(",\"seed\":" + "9".repeat(5_000)))), 400,
                "invalid_json", null);
    }

    @Test
    void invalidUtf8InsideAStringIs400() throws Exception {
        byte[] head = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"h".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "i\"}]}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xC3;     // a two-byte lead...
        body[head.length + 1] = (byte) 0x28; // ...followed by a byte that is not a continuation byte
        System.arraycopy(tail, 0, body, head.length + 2, tail.length);
        HttpResponse<String> r = send(HttpRequest.BodyPublishers.ofByteArray(body));
        assertTrue(JSON.readTree(r.body()).path("error").path("message").asText().contains("UTF-8"), r.body());
        assertRefused(r, 400, "invalid_json", null);
    }

    @Test
    void duplicateKeysAre400() throws Exception {
        assertRefused(send(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"chat\",\"model\":\"other\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")),
                400, "invalid_json", null);
    }

    @Test
    void wrongTypesAreNamed() throws Exception {
        Map<String, String> cases = Map.of(
                "stream", ",\"stream\":\"yes\"",
                "max_tokens", ",\"max_tokens\":-5",
                "temperature", ",\"temperature\":\"hot\"",
                "top_p", ",\"top_p\":3",
                "n", ",\"n\":1.5",
                "stop", ",\"stop\":42",
                "stream_options", ",\"stream_options\":true",
                "tools", ",\"tools\":{}");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertRefused(send(HttpRequest.BodyPublishers.ofString(chat(c.getValue()))), 400, "invalid_request",
                    c.getKey());
        }
        assertRefused(send(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":42}]}")), 400, "invalid_request",
                "messages[0].content");
        assertRefused(send(HttpRequest.BodyPublishers.ofString("{\"model\":42,\"messages\":[]}")), 400,
                "invalid_request", "model");
    }

    @Test
    void aJsonArrayOrScalarBodyIs400() throws Exception {
        assertRefused(send(HttpRequest.BodyPublishers.ofString("[1,2,3]")), 400, "invalid_json", null);
        assertRefused(send(HttpRequest.BodyPublishers.ofString("\"hello\"")), 400, "invalid_json", null);
    }
}
