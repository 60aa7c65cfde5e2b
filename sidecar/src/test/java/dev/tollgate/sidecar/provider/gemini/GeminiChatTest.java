package dev.tollgate.sidecar.provider.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.SseData;
import dev.tollgate.sidecar.testing.TestSidecar;
import dev.tollgate.sidecar.testing.UsageRecords;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gemini/ (Google AI Studio) through a real sidecar against a fake that speaks the Gemini API. */
class GeminiChatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeGoogle google;
    private TestSidecar sidecar;

    @BeforeEach
    void start() throws Exception {
        google = new FakeGoogle(FakeGoogle.Flavor.AI_STUDIO);
        sidecar = new TestSidecar(
                TestSidecar.deployment("g", "gemini", FakeGoogle.MODEL, google.base(), FakeGoogle.API_KEY, Map.of()),
                TestSidecar.deployment("lenient", "gemini", FakeGoogle.MODEL, google.base(), FakeGoogle.API_KEY,
                        Map.of("drop_params", "true")));
    }

    @AfterEach
    void stop() {
        sidecar.close();
        google.close();
    }

    private HttpResponse<String> chat(String fields) throws Exception {
        return sidecar.post("/v1/chat/completions", "{\"model\":\"g\"," + fields + "}");
    }

    private JsonNode sent() {
        return google.seen.get(google.seen.size() - 1).body();
    }

    @Test
    void chatBecomesGenerateContentAndTheAnswerAnOpenAiCompletion() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"hi\"}]");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals("Hello from Gemini", body.at("/choices/0/message/content").asText());
        assertEquals("assistant", body.at("/choices/0/message/role").asText());
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());
        assertEquals(12, body.at("/usage/prompt_tokens").asInt());
        assertEquals(4, body.at("/usage/completion_tokens").asInt());
        assertEquals(16, body.at("/usage/total_tokens").asInt());
        assertEquals(5, body.at("/usage/prompt_tokens_details/cached_tokens").asInt());
        FakeGoogle.Seen seen = google.seen.get(0);
        assertEquals("/v1beta/models/gemini-2.0-flash:generateContent", seen.path());
        assertEquals(FakeGoogle.API_KEY, seen.apiKey());
        assertEquals("Be brief.", seen.body().at("/systemInstruction/parts/0/text").asText());
        assertEquals(1, seen.body().path("contents").size());
        assertEquals("user", seen.body().at("/contents/0/role").asText());
        assertEquals(5, UsageRecords.await(sidecar, 0).getCachedTokens());
        assertEquals(12, UsageRecords.await(sidecar, 0).getPromptTokens());
    }

    @Test
    void generationParametersBecomeGenerationConfig() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.2,"
                + "\"top_p\":0.9,\"max_tokens\":100,\"stop\":\"END\",\"n\":1,\"seed\":7,\"response_format\":{\"type\":"
                + "\"json_schema\",\"json_schema\":{\"name\":\"x\",\"strict\":true,\"schema\":{\"type\":\"object\","
                + "\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":[\"string\",\"null\"]}}}}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode config = sent().path("generationConfig");
        assertEquals(0.2, config.path("temperature").asDouble());
        assertEquals(0.9, config.path("topP").asDouble());
        assertEquals(100, config.path("maxOutputTokens").asInt());
        assertEquals("END", config.at("/stopSequences/0").asText());
        assertEquals(1, config.path("candidateCount").asInt());
        assertEquals(7, config.path("seed").asInt());
        assertEquals("application/json", config.path("responseMimeType").asText());
        assertEquals("string", config.at("/responseSchema/properties/a/type").asText());
        assertTrue(config.at("/responseSchema/properties/a/nullable").asBoolean());
        assertFalse(config.path("responseSchema").has("additionalProperties"));
    }

    @Test
    void maxCompletionTokensWinsAndJsonObjectAsksForJson() throws Exception {
        chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5,\"max_completion_tokens\":50,"
                + "\"response_format\":{\"type\":\"json_object\"}");
        assertEquals(50, sent().at("/generationConfig/maxOutputTokens").asInt());
        assertEquals("application/json", sent().at("/generationConfig/responseMimeType").asText());
    }

    @Test
    void streamBecomesOpenAiChunksInOrderEndingWithDone() throws Exception {
        HttpResponse<String> r = chat("\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("/v1beta/models/gemini-2.0-flash:streamGenerateContent", google.seen.get(0).path());
        assertEquals("alt=sse", google.seen.get(0).query());
        List<String> data = SseData.of(r.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(GeminiChatTest::parse).toList();
        assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.at("/choices/0/delta/content").asText("")));
        assertEquals("Hello from Gemini", text.toString());
        JsonNode last = chunks.get(chunks.size() - 1);
        assertEquals("stop", last.at("/choices/0/finish_reason").asText());
        assertTrue(chunks.stream().allMatch(c -> c.path("object").asText().equals("chat.completion.chunk")));
        assertTrue(chunks.stream().noneMatch(c -> c.has("usage")), "usage only when asked for");
        assertEquals(4, UsageRecords.await(sidecar, 0).getCompletionTokens());
    }

    @Test
    void streamWithIncludeUsageEndsWithAUsageChunk() throws Exception {
        HttpResponse<String> r = chat("\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]");
        List<String> data = SseData.of(r.body());
        JsonNode usageChunk = parse(data.get(data.size() - 2));
        assertEquals(0, usageChunk.path("choices").size());
        assertEquals(16, usageChunk.at("/usage/total_tokens").asInt());
        assertEquals("stop", parse(data.get(data.size() - 3)).at("/choices/0/finish_reason").asText());
    }

    @Test
    void imageDataUrlBecomesInlineDataAndHttpsUrlFileData() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
                + "\"what is this?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.webp\"}}]}]");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode parts = sent().at("/contents/0/parts");
        assertEquals("what is this?", parts.at("/0/text").asText());
        assertEquals("image/png", parts.at("/1/inlineData/mimeType").asText());
        assertEquals("iVBORw0KGgo=", parts.at("/1/inlineData/data").asText());
        assertEquals("image/webp", parts.at("/2/fileData/mimeType").asText());
        assertEquals("https://example.com/cat.webp", parts.at("/2/fileData/fileUri").asText());
    }

    @Test
    void consecutiveTurnsOfOneRoleAreMergedSoRolesAlternate() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"one\"},{\"role\":\"user\","
                + "\"content\":\"two\"},{\"role\":\"assistant\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":"
                + "\"b\"},{\"role\":\"developer\",\"content\":\"rules\"},{\"role\":\"user\",\"content\":\"three\"}]");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode contents = sent().path("contents");
        assertEquals(3, contents.size());
        assertEquals("user", contents.at("/0/role").asText());
        assertEquals(2, contents.at("/0/parts").size());
        assertEquals("model", contents.at("/1/role").asText());
        assertEquals("rules", sent().at("/systemInstruction/parts/0/text").asText());
    }

    @Test
    void blockedPromptIsContentFilterWithEmptyContent() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"trigger-safety\"}]");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("content_filter", body.at("/choices/0/finish_reason").asText());
        assertEquals("", body.at("/choices/0/message/content").asText());
        assertEquals(7, body.at("/usage/prompt_tokens").asInt());

        HttpResponse<String> s = chat("\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"trigger-safety\"}]");
        List<String> data = SseData.of(s.body());
        assertEquals("assistant", parse(data.get(0)).at("/choices/0/delta/role").asText());
        assertEquals("content_filter", parse(data.get(data.size() - 2)).at("/choices/0/finish_reason").asText());
    }

    @Test
    void safetyFinishIsContentFilterAndMaxTokensIsLength() throws Exception {
        JsonNode safety = JSON.readTree(chat("\"messages\":[{\"role\":\"user\",\"content\":\"trigger-candidate-safety\"}]")
                .body());
        assertEquals("content_filter", safety.at("/choices/0/finish_reason").asText());
        JsonNode length = JSON.readTree(chat("\"messages\":[{\"role\":\"user\",\"content\":\"trigger-length\"}]").body());
        assertEquals("length", length.at("/choices/0/finish_reason").asText());
        assertEquals("Hello from", length.at("/choices/0/message/content").asText());
    }

    @Test
    void unsupportedParamIs400NamingItUnlessDropParams() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true");
        assertEquals(400, r.statusCode());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals("unsupported_params", error.path("code").asText());
        assertEquals("logprobs", error.path("param").asText());
        assertTrue(google.seen.isEmpty());

        HttpResponse<String> dropped = sidecar.post("/v1/chat/completions",
                "{\"model\":\"lenient\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true}");
        assertEquals(200, dropped.statusCode(), dropped.body());
        assertFalse(sent().toString().contains("logprobs"));
    }

    @Test
    void chunkIdsAndModelComeFromTheAnswer() throws Exception {
        HttpResponse<String> r = chat("\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]");
        JsonNode first = parse(SseData.of(r.body()).get(0));
        assertEquals("chatcmpl-resp-abc123", first.path("id").asText());
        assertEquals("gemini-2.0-flash-001", first.path("model").asText());
        assertNotEquals(0, first.path("created").asLong());
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
