package dev.tollgate.sidecar.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Non-streamed chat completions through the anthropic/ adapter against a fake Anthropic API. */
class AnthropicChatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeAnthropic fake;
    private TestSidecar sidecar;

    private TestSidecar sidecar(Map<String, String> params) throws Exception {
        fake = new FakeAnthropic();
        sidecar = new TestSidecar(TestSidecar.deployment("claude", "anthropic", "claude-sonnet-4-5", fake.base(),
                FakeAnthropic.KEY, params));
        return sidecar;
    }

    @AfterEach
    void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    private JsonNode ok(String body) throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/chat/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void textAnswerBecomesOpenAiCompletionWithUsageCountingCachedInput() throws Exception {
        sidecar(Map.of());
        fake.reply = FakeAnthropic.Reply.json("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"Hi "},{"type":"text","text":"there."}],
                 "stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":10,"cache_read_input_tokens":100,"cache_creation_input_tokens":5,
                          "output_tokens":7}}""");
        JsonNode body = ok("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");

        assertEquals("chat.completion", body.path("object").asText());
        assertEquals("Hi there.", body.at("/choices/0/message/content").asText());
        assertEquals("assistant", body.at("/choices/0/message/role").asText());
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());
        assertEquals(115, body.at("/usage/prompt_tokens").asLong());
        assertEquals(7, body.at("/usage/completion_tokens").asLong());
        assertEquals(122, body.at("/usage/total_tokens").asLong());
        assertEquals(100, body.at("/usage/prompt_tokens_details/cached_tokens").asLong());
        Await.until(() -> !sidecar.usage.isEmpty(), "the usage record");
        assertEquals(100, sidecar.usage.get(0).getCachedTokens());
        assertEquals(115, sidecar.usage.get(0).getPromptTokens());

        FakeAnthropic.Received sent = fake.last();
        assertEquals(FakeAnthropic.KEY, sent.header("x-api-key"));
        assertEquals("2023-06-01", sent.header("anthropic-version"));
        assertEquals("claude-sonnet-4-5", sent.body().path("model").asText());
        assertEquals("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}]}]",
                sent.body().path("messages").toString());
    }

    @Test
    void systemAndDeveloperMessagesAreLiftedAndSameRoleTurnsMerged() throws Exception {
        sidecar(Map.of());
        ok("""
                {"model":"claude","messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"user","content":"one"},
                  {"role":"user","content":[{"type":"text","text":"two"}]},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
                  {"role":"assistant","content":"un"},
                  {"role":"assistant","content":"deux"},
                  {"role":"user","content":"three"}]}""");
        JsonNode sent = fake.last().body();
        assertEquals("[{\"type\":\"text\",\"text\":\"Be brief.\"},{\"type\":\"text\",\"text\":\"Answer in French.\"}]",
                sent.path("system").toString());
        JsonNode messages = sent.path("messages");
        assertEquals(3, messages.size());
        assertEquals("user", messages.at("/0/role").asText());
        assertEquals(2, messages.at("/0/content").size());
        assertEquals("two", messages.at("/0/content/1/text").asText());
        assertEquals("assistant", messages.at("/1/role").asText());
        assertEquals(2, messages.at("/1/content").size());
        assertEquals("three", messages.at("/2/content/0/text").asText());
    }

    @Test
    void imagePartsBecomeBase64AndUrlSources() throws Exception {
        sidecar(Map.of());
        ok("""
                {"model":"claude","messages":[{"role":"user","content":[
                  {"type":"text","text":"Compare"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"high"}}]}]}""");
        JsonNode content = fake.last().body().at("/messages/0/content");
        assertEquals("{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\","
                + "\"data\":\"iVBORw0KGgo=\"}}", content.get(1).toString());
        assertEquals("{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.jpg\"}}",
                content.get(2).toString());
    }

    @Test
    void functionToolsAndToolChoiceBecomeAnthropicTools() throws Exception {
        sidecar(Map.of());
        String tools = """
                "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",
                  "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]";
        ok("{\"model\":\"claude\"," + user + "," + tools + ",\"tool_choice\":\"required\",\"parallel_tool_calls\":false}");
        JsonNode sent = fake.last().body();
        assertEquals("get_weather", sent.at("/tools/0/name").asText());
        assertEquals("Weather now", sent.at("/tools/0/description").asText());
        assertEquals("city", sent.at("/tools/0/input_schema/required/0").asText());
        assertEquals("{\"type\":\"any\",\"disable_parallel_tool_use\":true}", sent.path("tool_choice").toString());

        ok("{\"model\":\"claude\"," + user + "," + tools
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}");
        assertEquals("{\"type\":\"tool\",\"name\":\"get_weather\"}", fake.last().body().path("tool_choice").toString());
        ok("{\"model\":\"claude\"," + user + "," + tools + ",\"tool_choice\":\"none\"}");
        assertEquals("{\"type\":\"none\"}", fake.last().body().path("tool_choice").toString());
        ok("{\"model\":\"claude\"," + user + "," + tools + "}");
        assertFalse(fake.last().body().has("tool_choice"));
    }

    @Test
    void parallelToolUseBecomesToolCallsWithJsonArguments() throws Exception {
        sidecar(Map.of());
        fake.reply = FakeAnthropic.Reply.json("""
                {"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"Checking both."},
                   {"type":"tool_use","id":"toolu_A","name":"get_weather","input":{"city":"Paris"}},
                   {"type":"tool_use","id":"toolu_B","name":"get_weather","input":{"city":"Oslo"}}],
                 "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":40}}""");
        JsonNode body = ok("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Paris and Oslo?\"}]}");
        JsonNode message = body.at("/choices/0/message");
        assertEquals("tool_calls", body.at("/choices/0/finish_reason").asText());
        assertEquals("Checking both.", message.path("content").asText());
        assertEquals(2, message.path("tool_calls").size());
        assertEquals("toolu_A", message.at("/tool_calls/0/id").asText());
        assertEquals("function", message.at("/tool_calls/0/type").asText());
        assertEquals("get_weather", message.at("/tool_calls/0/function/name").asText());
        assertEquals("{\"city\":\"Paris\"}", message.at("/tool_calls/0/function/arguments").asText());
        assertEquals("{\"city\":\"Oslo\"}", message.at("/tool_calls/1/function/arguments").asText());
    }

    @Test
    void assistantToolCallsAndConsecutiveToolResultsBecomePairedBlocks() throws Exception {
        sidecar(Map.of());
        ok("""
                {"model":"claude","messages":[
                  {"role":"user","content":"Paris and Oslo?"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"toolu_A","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"toolu_B","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
                  {"role":"tool","tool_call_id":"toolu_A","content":"18C"},
                  {"role":"tool","tool_call_id":"toolu_B","content":[{"type":"text","text":"9C"}]},
                  {"role":"user","content":"Which is warmer?"}]}""");
        JsonNode messages = fake.last().body().path("messages");
        assertEquals(3, messages.size());
        assertEquals("{\"type\":\"tool_use\",\"id\":\"toolu_A\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}",
                messages.at("/1/content/0").toString());
        JsonNode results = messages.at("/2/content");
        assertEquals("user", messages.at("/2/role").asText());
        assertEquals("{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_A\",\"content\":\"18C\"}", results.get(0).toString());
        assertEquals("9C", results.at("/1/content").asText());
        assertEquals("Which is warmer?", results.at("/2/text").asText());
    }

    @Test
    void maxTokensComesFromTheRequestElseTheDeploymentElse4096() throws Exception {
        sidecar(Map.of());
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
        ok("{\"model\":\"claude\"," + messages + "}");
        assertEquals(4096, fake.last().body().path("max_tokens").asInt());
        ok("{\"model\":\"claude\"," + messages + ",\"max_tokens\":100}");
        assertEquals(100, fake.last().body().path("max_tokens").asInt());
        ok("{\"model\":\"claude\"," + messages + ",\"max_tokens\":100,\"max_completion_tokens\":50}");
        assertEquals(50, fake.last().body().path("max_tokens").asInt());
        stop();
        sidecar(Map.of("max_tokens", "777"));
        ok("{\"model\":\"claude\"," + messages + "}");
        assertEquals(777, fake.last().body().path("max_tokens").asInt());
    }

    @Test
    void stopTemperatureTopPAndUserAreTranslated() throws Exception {
        sidecar(Map.of());
        ok("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stop\":\"END\","
                + "\"temperature\":0.2,\"top_p\":0.9,\"user\":\"user-42\",\"n\":1,\"presence_penalty\":0}");
        JsonNode sent = fake.last().body();
        assertEquals("[\"END\"]", sent.path("stop_sequences").toString());
        assertEquals(0.2, sent.path("temperature").asDouble());
        assertEquals(0.9, sent.path("top_p").asDouble());
        assertEquals("user-42", sent.at("/metadata/user_id").asText());
    }

    @Test
    void unsupportedParamIs400NamingItUnlessTheDeploymentDropsParams() throws Exception {
        sidecar(Map.of());
        HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"seed\":7,\"n\":2}");
        assertEquals(400, r.statusCode());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals("unsupported_params", error.path("code").asText());
        assertEquals("seed", error.path("param").asText());
        assertTrue(error.path("message").asText().contains("n"), r.body());
        assertTrue(fake.received.isEmpty());
        stop();

        sidecar(Map.of("drop_params", "true"));
        ok("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"seed\":7,\"logprobs\":true}");
        assertFalse(fake.last().body().has("seed"));
    }

    @Test
    void jsonSchemaResponseFormatIsAForcedToolWhoseInputIsTheContent() throws Exception {
        sidecar(Map.of());
        fake.reply = FakeAnthropic.Reply.json("""
                {"id":"msg_3","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"tool_use","id":"toolu_J","name":"person","input":{"name":"Ada","born":1815}}],
                 "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":9}}""");
        JsonNode body = ok("""
                {"model":"claude","messages":[{"role":"user","content":"Who wrote the first program?"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"person",
                   "schema":{"type":"object","properties":{"name":{"type":"string"},"born":{"type":"integer"}}}}}}""");
        assertEquals("{\"name\":\"Ada\",\"born\":1815}", body.at("/choices/0/message/content").asText());
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());
        assertTrue(body.at("/choices/0/message/tool_calls").isMissingNode());
        JsonNode sent = fake.last().body();
        assertEquals("person", sent.at("/tools/0/name").asText());
        assertEquals("integer", sent.at("/tools/0/input_schema/properties/born/type").asText());
        assertEquals("{\"type\":\"tool\",\"name\":\"person\"}", sent.path("tool_choice").toString());
    }

    @Test
    void stopReasonsMapToOpenAiFinishReasons() throws Exception {
        sidecar(Map.of());
        Map<String, String> expected = Map.of("max_tokens", "length", "stop_sequence", "stop", "refusal",
                "content_filter", "model_context_window_exceeded", "length");
        for (var e : expected.entrySet()) {
            fake.reply = FakeAnthropic.Reply.json(FakeAnthropic.textMessage("x", e.getKey()));
            JsonNode body = ok("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
            assertEquals(e.getValue(), body.at("/choices/0/finish_reason").asText(), e.getKey());
        }
    }
}
