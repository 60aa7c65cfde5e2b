package dev.tollgate.sidecar.provider.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GeminiEmbeddingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeGoogle google;
    private TestSidecar sidecar;

    @BeforeEach
    void start() throws Exception {
        google = new FakeGoogle(FakeGoogle.Flavor.AI_STUDIO);
        sidecar = new TestSidecar(TestSidecar.deployment("e", "gemini", "gemini-embedding-001", google.base(),
                FakeGoogle.API_KEY, Map.of()));
    }

    @AfterEach
    void stop() {
        sidecar.close();
        google.close();
    }

    @Test
    void oneStringUsesEmbedContentWithOutputDimensionality() throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/embeddings", "{\"model\":\"e\",\"input\":\"hello\",\"dimensions\":8}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("/v1beta/models/gemini-embedding-001:embedContent", google.seen.get(0).path());
        assertEquals(8, google.seen.get(0).body().path("outputDimensionality").asInt());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("list", body.path("object").asText());
        assertEquals(5.0, body.at("/data/0/embedding/0").asDouble());
        assertEquals(2, body.at("/usage/prompt_tokens").asInt(), "estimated: about four characters per token");
    }

    @Test
    void aListUsesBatchEmbedContentsInOrder() throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/embeddings", "{\"model\":\"e\",\"input\":[\"a\",\"abcd\"]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("/v1beta/models/gemini-embedding-001:batchEmbedContents", google.seen.get(0).path());
        JsonNode data = JSON.readTree(r.body()).path("data");
        assertEquals(2, data.size());
        assertEquals(1, data.at("/1/index").asInt());
        assertEquals(4.0, data.at("/1/embedding/0").asDouble());
    }

    @Test
    void base64EncodingFormatIsLittleEndianFloat32() throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/embeddings",
                "{\"model\":\"e\",\"input\":\"hey\",\"encoding_format\":\"base64\"}");
        byte[] raw = Base64.getDecoder().decode(JSON.readTree(r.body()).at("/data/0/embedding").asText());
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3.0f, buf.getFloat());
        assertEquals(3.0f, buf.getFloat());
    }

    @Test
    void tokenArraysAre400NamingInput() throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/embeddings", "{\"model\":\"e\",\"input\":[[1,2,3]]}");
        assertEquals(400, r.statusCode());
        assertEquals("input", JSON.readTree(r.body()).at("/error/param").asText());
    }
}
