package dev.tollgate.sidecar.provider.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.SseData;
import dev.tollgate.sidecar.testing.TestSidecar;
import dev.tollgate.sidecar.testing.UsageRecords;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ollama/ through a real sidecar against a fake Ollama server. */
class OllamaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";

    private FakeOllama ollama;
    private TestSidecar sidecar;

    @BeforeEach
    void start() throws Exception {
        ollama = new FakeOllama();
        sidecar = new TestSidecar(
                TestSidecar.deployment("o", "ollama", FakeOllama.MODEL, ollama.base(), "", Map.of()),
                TestSidecar.deployment("lenient", "ollama_chat", FakeOllama.MODEL, ollama.base(), "",
                        Map.of("drop_params", "true")),
                TestSidecar.deployment("missing", "ollama", "llama9", ollama.base(), "", Map.of()),
                TestSidecar.deployment("embed", "ollama", "nomic-embed-text", ollama.base(), "", Map.of()));
    }

    @AfterEach
    void stop() {
        sidecar.close();
        ollama.close();
    }

    private HttpResponse<String> chat(String fields) throws Exception {
        return sidecar.post("/v1/chat/completions", "{\"model\":\"o\"," + fields + "}");
    }

    private JsonNode sent() {
        return ollama.requests.get(ollama.requests.size() - 1);
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    @Test
    void chatBecomesApiChatWithOptionsAndTheAnswerAnOpenAiCompletion() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"temperature\":0.1,\"top_p\":0.8,\"max_tokens\":64,\"stop\":[\"END\"],\"seed\":3");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("Hello from Ollama", body.at("/choices/0/message/content").asText());
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());
        assertEquals(26, body.at("/usage/prompt_tokens").asInt());
        assertEquals(3, body.at("/usage/completion_tokens").asInt());
        assertEquals(29, body.at("/usage/total_tokens").asInt());
        JsonNode sent = sent();
        assertFalse(sent.path("stream").asBoolean(true));
        assertEquals("system", sent.at("/messages/0/role").asText());
        assertEquals(0.1, sent.at("/options/temperature").asDouble());
        assertEquals(0.8, sent.at("/options/top_p").asDouble());
        assertEquals(64, sent.at("/options/num_predict").asInt());
        assertEquals("END", sent.at("/options/stop/0").asText());
        assertEquals(3, sent.at("/options/seed").asInt());
        assertEquals(26, UsageRecords.await(sidecar, 0).getPromptTokens());
    }

    @Test
    void ndjsonStreamBecomesOpenAiChunksInOrderEndingWithDone() throws Exception {
        HttpResponse<String> r = chat("\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(sent().path("stream").asBoolean());
        List<String> data = SseData.of(r.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        JsonNode first = parse(data.get(0));
        assertEquals("assistant", first.at("/choices/0/delta/role").asText());
        assertEquals("Hello", first.at("/choices/0/delta/content").asText());
        assertEquals(" from", parse(data.get(1)).at("/choices/0/delta/content").asText());
        assertEquals("stop", parse(data.get(data.size() - 2)).at("/choices/0/finish_reason").asText());
        assertTrue(data.stream().noneMatch(d -> d.contains("\"usage\"")));
        assertEquals(3, UsageRecords.await(sidecar, 0).getCompletionTokens());
    }

    @Test
    void streamWithIncludeUsageEndsWithAUsageChunkFromTheDoneLine() throws Exception {
        HttpResponse<String> r = chat("\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"trigger-length\"}]");
        List<String> data = SseData.of(r.body());
        JsonNode usage = parse(data.get(data.size() - 2));
        assertEquals(0, usage.path("choices").size());
        assertEquals(29, usage.at("/usage/total_tokens").asInt());
        assertEquals("length", parse(data.get(data.size() - 3)).at("/choices/0/finish_reason").asText());
    }

    @Test
    void toolsPassInOpenAiShapeAndParallelToolCallsComeBackWithStringArguments() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"trigger-tools\"}]," + TOOLS);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("get_weather", sent().at("/tools/0/function/name").asText());
        JsonNode choice = JSON.readTree(r.body()).at("/choices/0");
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        JsonNode calls = choice.at("/message/tool_calls");
        assertEquals(2, calls.size());
        assertEquals("{\"city\":\"Paris\"}", calls.at("/0/function/arguments").asText());
        assertEquals("get_time", calls.at("/1/function/name").asText());
        assertFalse(calls.at("/0/id").asText().equals(calls.at("/1/id").asText()));

        HttpResponse<String> s = chat("\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"trigger-tools\"}],"
                + TOOLS);
        List<String> data = SseData.of(s.body());
        JsonNode delta = parse(data.get(0)).at("/choices/0/delta");
        assertEquals(1, delta.at("/tool_calls/1/index").asInt());
        assertEquals("tool_calls", parse(data.get(data.size() - 2)).at("/choices/0/finish_reason").asText());
    }

    @Test
    void toolResultsCarryToolNameAndEarlierCallsObjectArguments() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\","
                + "\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},{\"role\":\"tool\",\"tool_call_id\":"
                + "\"call_1\",\"content\":\"21C\"}]," + TOOLS);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode messages = sent().path("messages");
        assertEquals("Paris", messages.at("/1/tool_calls/0/function/arguments/city").asText());
        assertEquals("tool", messages.at("/2/role").asText());
        assertEquals("get_weather", messages.at("/2/tool_name").asText());
        assertEquals("21C", messages.at("/2/content").asText());
    }

    @Test
    void toolChoiceNoneSendsNoToolsAndForcedToolIsUnsupported() throws Exception {
        chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + TOOLS + ",\"tool_choice\":\"none\"");
        assertFalse(sent().has("tools"));
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + TOOLS
                + ",\"tool_choice\":\"required\"");
        assertEquals(400, r.statusCode());
        assertEquals("tool_choice", JSON.readTree(r.body()).at("/error/param").asText());
    }

    @Test
    void imageDataUrlBecomesBase64ImageAndLinksAreRefused() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
                + "\"what?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]}]");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("what?", sent().at("/messages/0/content").asText());
        assertEquals("iVBORw0KGgo=", sent().at("/messages/0/images/0").asText());

        HttpResponse<String> link = chat("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"https://example.com/cat.png\"}}]}]");
        assertEquals(400, link.statusCode());
        assertEquals("messages[0].content[0].image_url", JSON.readTree(link.body()).at("/error/param").asText());
    }

    @Test
    void responseFormatBecomesFormat() throws Exception {
        chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"json_object\"}");
        assertEquals("json", sent().path("format").asText());
        chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}}}");
        assertEquals("integer", sent().at("/format/properties/a/type").asText());
    }

    @Test
    void unsupportedParamsAre400UnlessDropParams() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2");
        assertEquals(400, r.statusCode());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals("unsupported_params", error.path("code").asText());
        assertEquals("n", error.path("param").asText());
        HttpResponse<String> logprobs = chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true");
        assertEquals("logprobs", JSON.readTree(logprobs.body()).at("/error/param").asText());
        assertTrue(ollama.requests.isEmpty());

        HttpResponse<String> dropped = sidecar.post("/v1/chat/completions", "{\"model\":\"lenient\",\"n\":2,"
                + "\"logprobs\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, dropped.statusCode(), dropped.body());
        assertFalse(sent().has("logprobs"));
    }

    @Test
    void modelNotPulledIs404ProviderModelNotFoundQuotingOllama() throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                "{\"model\":\"missing\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, r.statusCode());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals("provider_model_not_found", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("model \"llama9\" not found"), error.toString());
    }

    @Test
    void runnerCrashIs502ProviderError() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"trigger-500\"}]");
        assertEquals(502, r.statusCode());
        assertEquals("provider_error", JSON.readTree(r.body()).at("/error/code").asText());
        assertTrue(r.body().contains("llama runner process has terminated"));
    }

    @Test
    void errorLineMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        HttpResponse<String> r = chat("\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"trigger-midstream-error\"}]");
        List<String> data = SseData.of(r.body());
        assertEquals("Hello", parse(data.get(0)).at("/choices/0/delta/content").asText());
        JsonNode last = parse(data.get(data.size() - 1));
        assertEquals("provider_stream_error", last.at("/error/code").asText());
        assertTrue(last.at("/error/message").asText().contains("unexpected EOF"));
    }

    @Test
    void ollamaNotRunningIs502ProviderUnreachableNamingApiBase() throws Exception {
        String base;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            base = "http://127.0.0.1:" + closed.getLocalPort();
        }
        try (TestSidecar down = new TestSidecar(TestSidecar.deployment("o", "ollama", FakeOllama.MODEL, base, "",
                Map.of()))) {
            HttpResponse<String> r = down.post("/v1/chat/completions",
                    "{\"model\":\"o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(502, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("provider_unreachable", error.path("code").asText());
            assertTrue(error.path("message").asText().contains(base));
        }
    }

    @Test
    void embeddingsUseApiEmbedAndPromptEvalCount() throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[\"ab\",\"abc\"]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("nomic-embed-text", sent().path("model").asText());
        assertEquals(2, sent().path("input").size());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(2, body.path("data").size());
        assertEquals(3.0, body.at("/data/1/embedding/0").asDouble());
        assertEquals(5, body.at("/usage/prompt_tokens").asInt());
    }
}
