package dev.tollgate.sidecar.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MockAndEmbeddingsSmokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mockEmbeddingsAreDeterministicUnitVectorsWithUsage() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("embed", "mock", "mock-embed", "", "", Map.of()))) {
            HttpResponse<String> a = sidecar.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[\"hello\",\"world\"]}");
            HttpResponse<String> b = sidecar.post("/embeddings", "{\"model\":\"embed\",\"input\":[\"hello\",\"world\"]}");
            assertEquals(200, a.statusCode(), a.body());
            JsonNode body = JSON.readTree(a.body());
            assertEquals(2, body.path("data").size());
            double norm = 0;
            for (JsonNode x : body.path("data").get(0).path("embedding")) {
                norm += x.asDouble() * x.asDouble();
            }
            assertEquals(1.0, norm, 1e-9);
            assertEquals(a.body(), b.body());
            assertTrue(body.path("usage").path("prompt_tokens").asLong() > 0);
            // The sidecar records usage after it has sent the response: wait for it with a deadline.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (sidecar.usage.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(2, sidecar.usage.size());
        }
    }

    @Test
    void mockEmbeddingsHonourBase64EncodingAsTheOpenAiSdksRequestByDefault() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("embed", "mock", "mock-embed", "", "", Map.of()))) {
            JsonNode floats = JSON.readTree(sidecar.post("/v1/embeddings",
                    "{\"model\":\"embed\",\"input\":\"hello\"}").body()).path("data").get(0).path("embedding");
            HttpResponse<String> r = sidecar.post("/v1/embeddings",
                    "{\"model\":\"embed\",\"input\":\"hello\",\"encoding_format\":\"base64\"}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode encoded = JSON.readTree(r.body()).path("data").get(0).path("embedding");
            assertTrue(encoded.isTextual(), r.body());
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(encoded.asText()))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertEquals(floats.size() * Float.BYTES, buf.remaining());
            for (JsonNode x : floats) {
                assertEquals(x.floatValue(), buf.getFloat());
            }
        }
    }

    @Test
    void embeddingsWithoutInputIs400NamingInput() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(
                TestSidecar.deployment("embed", "mock", "mock-embed", "", "", Map.of()))) {
            HttpResponse<String> r = sidecar.post("/v1/embeddings", "{\"model\":\"embed\"}");
            assertEquals(400, r.statusCode());
            assertEquals("input", JSON.readTree(r.body()).path("error").path("param").asText());
        }
    }
}
