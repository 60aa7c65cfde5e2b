package dev.tollgate.sidecar.provider.bedrock;

import static dev.tollgate.sidecar.provider.bedrock.BedrockFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OpenAI embeddings through Bedrock InvokeModel: Titan (one call per input) and Cohere (one call per batch). */
class BedrockEmbeddingsTest {

    private static BedrockFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new BedrockFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void reset() {
        f.reset();
    }

    @Test
    void titanEmbedsEachInputWithItsOwnCallAndSumsTokens() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/embeddings",
                "{\"model\":\"titan\",\"input\":[\"hello world\",\"a b c\"]}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, f.fake.received.size());
        assertEquals("/model/amazon.titan-embed-text-v2%3A0/invoke", f.fake.received.get(0).rawPath());
        assertEquals(json("{\"inputText\":\"hello world\"}"), f.fake.received.get(0).body());
        assertEquals(json("{\"inputText\":\"a b c\"}"), f.fake.received.get(1).body());
        JsonNode body = json(r.body());
        assertEquals("list", body.path("object").asText());
        assertEquals(1, body.at("/data/1/index").asInt());
        assertEquals(11.0, body.at("/data/0/embedding/0").asDouble());
        assertEquals(5.0, body.at("/data/1/embedding/0").asDouble());
        assertEquals(1024, body.at("/data/0/embedding").size());
        assertEquals(5, body.at("/usage/prompt_tokens").asInt());
        assertEquals(5, f.usage(r).getPromptTokens());
    }

    @Test
    void titanPassesDimensions() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/embeddings",
                "{\"model\":\"titan\",\"input\":\"hello\",\"dimensions\":256}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(256, f.fake.last().body().path("dimensions").asInt());
        assertEquals(256, json(r.body()).at("/data/0/embedding").size());
    }

    @Test
    void cohereEmbedsAllTextsInOneCallWithTokensFromTheHeader() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/embeddings",
                "{\"model\":\"cohere\",\"input\":[\"hello world\",\"a b c\"]}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, f.fake.received.size());
        assertEquals(json("{\"input_type\":\"search_document\",\"texts\":[\"hello world\",\"a b c\"]}"),
                f.fake.last().body());
        JsonNode body = json(r.body());
        assertEquals(2, body.path("data").size());
        assertEquals(5.0, body.at("/data/1/embedding/0").asDouble());
        assertEquals(5, body.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void cohereInputTypeCanBeChosenPerRequest() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/embeddings",
                "{\"model\":\"cohere\",\"input\":\"query text\",\"input_type\":\"search_query\"}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("search_query", f.fake.last().body().path("input_type").asText());
    }

    @Test
    void base64EncodingIsLittleEndianFloat32() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/embeddings",
                "{\"model\":\"titan\",\"input\":\"hey\",\"dimensions\":256,\"encoding_format\":\"base64\"}");

        assertEquals(200, r.statusCode(), r.body());
        byte[] raw = Base64.getDecoder().decode(json(r.body()).at("/data/0/embedding").asText());
        ByteBuffer floats = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(256 * 4, raw.length);
        assertEquals(3.0f, floats.getFloat(0));
        assertEquals(0.25f, floats.getFloat(4));
    }

    @Test
    void dimensionsOnCohereIsAnUnsupportedParam() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/embeddings",
                "{\"model\":\"cohere\",\"input\":\"x\",\"dimensions\":256}");

        assertEquals(400, r.statusCode(), r.body());
        assertEquals("unsupported_params", json(r.body()).at("/error/code").asText());
        assertEquals("dimensions", json(r.body()).at("/error/param").asText());
    }

    @Test
    void chatModelRefusesEmbeddingsNamingTheSupportedFamilies() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/embeddings", "{\"model\":\"claude\",\"input\":\"x\"}");

        assertEquals(400, r.statusCode(), r.body());
        assertEquals("unsupported_operation", json(r.body()).at("/error/code").asText());
        assertTrue(r.body().contains("amazon.titan-embed"), r.body());
        assertTrue(f.fake.received.isEmpty());
    }

    @Test
    void bedrockValidationErrorOnEmbeddingsIs400QuotingIt() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/embeddings",
                "{\"model\":\"titan\",\"input\":\"x\",\"dimensions\":300}");

        assertEquals(400, r.statusCode(), r.body());
        assertEquals("provider_bad_request", json(r.body()).at("/error/code").asText());
        assertTrue(r.body().contains("300 is not a valid enum value"), r.body());
    }
}
