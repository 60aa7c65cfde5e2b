package dev.tollgate.sidecar.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /v1/messages served by an openai/ deployment and by an anthropic/ one: both translation directions. */
class MessagesRouteOpenAiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> HEADERS = Map.of("x-api-key", TestSidecar.KEY,
            "anthropic-version", "2023-06-01");
    private static final String CONVERSATION = """
            {"model":"gpt","max_tokens":300,"system":"You are terse.","stop_sequences":["END"],
             "temperature":0.5,"metadata":{"user_id":"u-7"},
             "tools":[{"name":"get_weather","description":"Weather now",
               "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "messages":[
               {"role":"user","content":[{"type":"text","text":"Weather?"},
                 {"type":"image","source":{"type":"url","url":"https://example.com/sky.jpg"}}]},
               {"role":"assistant","content":[{"type":"text","text":"Checking."},
                 {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18C"},
                 {"type":"text","text":"And Oslo?"}]}]%s}""";

    private FakeOpenAi openAi;
    private FakeAnthropic anthropic;
    private TestSidecar sidecar;

    @BeforeEach
    void start() throws Exception {
        openAi = new FakeOpenAi();
        anthropic = new FakeAnthropic();
        sidecar = new TestSidecar(
                TestSidecar.deployment("gpt", "openai", "gpt-4o-mini", openAi.base(), FakeOpenAi.KEY, Map.of()),
                TestSidecar.deployment("claude", "anthropic", "claude-sonnet-4-5", anthropic.base(), FakeAnthropic.KEY,
                        Map.of()));
    }

    @AfterEach
    void stop() {
        sidecar.close();
        openAi.close();
        anthropic.close();
    }

    @Test
    void anthropicRequestBecomesOpenAiChatRequest() throws Exception {
        openAi.reply = FakeOpenAi.Reply.json(completion("\"Sunny.\"", "null", "stop"));
        assertEquals(200, sidecar.post("/v1/messages", CONVERSATION.formatted(""), HEADERS).statusCode());
        JsonNode sent = openAi.last();
        assertEquals("gpt-4o-mini", sent.path("model").asText());
        assertEquals(300, sent.path("max_tokens").asInt());
        assertEquals("[\"END\"]", sent.path("stop").toString());
        assertEquals("u-7", sent.path("user").asText());
        assertEquals(0.5, sent.path("temperature").asDouble());
        assertEquals("required", sent.path("tool_choice").asText());
        assertFalse(sent.path("parallel_tool_calls").asBoolean(true));
        assertEquals("get_weather", sent.at("/tools/0/function/name").asText());
        assertEquals("string", sent.at("/tools/0/function/parameters/properties/city/type").asText());
        JsonNode messages = sent.path("messages");
        assertEquals(5, messages.size(), messages.toString());
        assertEquals("{\"role\":\"system\",\"content\":\"You are terse.\"}", messages.get(0).toString());
        assertEquals("https://example.com/sky.jpg", messages.at("/1/content/1/image_url/url").asText());
        assertEquals("Checking.", messages.at("/2/content").asText());
        assertEquals("call_1", messages.at("/2/tool_calls/0/id").asText());
        assertEquals("{\"city\":\"Paris\"}", messages.at("/2/tool_calls/0/function/arguments").asText());
        assertEquals("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"}", messages.get(3).toString());
        assertEquals("And Oslo?", messages.at("/4/content/0/text").asText());
    }

    @Test
    void openAiToolCallsBecomeToolUseBlocksWithCachedUsage() throws Exception {
        openAi.reply = FakeOpenAi.Reply.json(completion("null", """
                [{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}},
                 {"id":"call_3","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]""",
                "tool_calls"));
        HttpResponse<String> r = sidecar.post("/v1/messages", CONVERSATION.formatted(""), HEADERS);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode message = JSON.readTree(r.body());
        assertEquals("tool_use", message.path("stop_reason").asText());
        assertEquals(2, message.path("content").size());
        assertEquals("{\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"get_weather\",\"input\":{\"city\":\"Oslo\"}}",
                message.at("/content/0").toString());
        assertEquals("Rome", message.at("/content/1/input/city").asText());
        assertEquals(80, message.at("/usage/input_tokens").asLong());
        assertEquals(20, message.at("/usage/cache_read_input_tokens").asLong());
        assertEquals(9, message.at("/usage/output_tokens").asLong());
    }

    @Test
    void openAiStreamWithToolCallsBecomesAnthropicBlocks() throws Exception {
        openAi.reply = FakeOpenAi.Reply.chunks(
                chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                chunk("{\"content\":\"Let me check.\"}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_9\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]}", null),
                chunk("{}", "tool_calls"),
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
                        + "\"choices\":[],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":12,\"total_tokens\":62}}");
        HttpResponse<String> r = sidecar.post("/v1/messages", CONVERSATION.formatted(",\"stream\":true"), HEADERS);
        assertEquals(200, r.statusCode(), r.body());
        List<Sse> events = Sse.parse(r.body());
        assertEquals(List.of("message_start", "ping", "content_block_start", "content_block_delta",
                "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop"), events.stream().map(Sse::name).toList());
        assertEquals("Let me check.", events.get(3).json().at("/delta/text").asText());
        JsonNode toolStart = events.get(5).json();
        assertEquals(1, toolStart.path("index").asInt());
        assertEquals("{\"type\":\"tool_use\",\"id\":\"call_9\",\"name\":\"get_weather\",\"input\":{}}",
                toolStart.path("content_block").toString());
        assertEquals("input_json_delta", events.get(6).json().at("/delta/type").asText());
        assertEquals("{\"city\":\"Oslo\"}", events.get(6).json().at("/delta/partial_json").asText()
                + events.get(7).json().at("/delta/partial_json").asText());
        JsonNode delta = events.get(9).json();
        assertEquals("tool_use", delta.at("/delta/stop_reason").asText());
        assertEquals(50, delta.at("/usage/input_tokens").asLong());
        assertEquals(12, delta.at("/usage/output_tokens").asLong());
    }

    @Test
    void providerErrorMidStreamIsAnAnthropicErrorEvent() throws Exception {
        openAi.reply = FakeOpenAi.Reply.chunks(chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}", null),
                "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}");
        HttpResponse<String> r = sidecar.post("/v1/messages", CONVERSATION.formatted(",\"stream\":true"), HEADERS);
        List<Sse> events = Sse.parse(r.body());
        Sse last = events.get(events.size() - 1);
        assertEquals("error", last.name());
        assertEquals("error", last.json().path("type").asText());
        assertEquals("api_error", last.json().at("/error/type").asText());
        assertTrue(last.json().at("/error/message").asText().contains("The server had an error"));
    }

    @Test
    void providerRateLimitIs429RateLimitErrorWithRetryAfter() throws Exception {
        openAi.reply = new FakeOpenAi.Reply(429, Map.of("retry-after", "3"), "{\"error\":{\"message\":\"Rate limit "
                + "reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}", List.of());
        HttpResponse<String> r = sidecar.post("/v1/messages", CONVERSATION.formatted(""), HEADERS);
        assertEquals(429, r.statusCode());
        assertEquals("3", r.headers().firstValue("retry-after").orElse(""));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("rate_limit_error", body.at("/error/type").asText());
        assertFalse(r.body().contains(FakeOpenAi.KEY));
    }

    @Test
    void anthropicDeploymentRoundTripsThroughBothTables() throws Exception {
        anthropic.reply = FakeAnthropic.Reply.json("""
                {"id":"msg_R","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"Oslo is 9C."}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":40,"cache_read_input_tokens":60,"output_tokens":5}}""");
        HttpResponse<String> r = sidecar.post("/v1/messages", CONVERSATION.formatted("").replace("\"gpt\"", "\"claude\""),
                HEADERS);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode message = JSON.readTree(r.body());
        assertEquals("msg_R", message.path("id").asText());
        assertEquals("Oslo is 9C.", message.at("/content/0/text").asText());
        assertEquals(40, message.at("/usage/input_tokens").asLong());
        assertEquals(60, message.at("/usage/cache_read_input_tokens").asLong());
        JsonNode sent = anthropic.last().body();
        assertEquals("[{\"type\":\"text\",\"text\":\"You are terse.\"}]", sent.path("system").toString());
        assertEquals(3, sent.path("messages").size(), "the fake checked role order and tool pairing");
        assertEquals("{\"type\":\"any\",\"disable_parallel_tool_use\":true}", sent.path("tool_choice").toString());
        assertEquals("u-7", sent.at("/metadata/user_id").asText());
    }

    @Test
    void anthropicStreamRoundTripsAndAnOverloadMidStreamIsAnOverloadedErrorEvent() throws Exception {
        anthropic.reply = FakeAnthropic.Reply.events(AnthropicStreamTest.START,
                AnthropicStreamTest.blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"), AnthropicStreamTest.PING,
                AnthropicStreamTest.text(0, "Os"), AnthropicStreamTest.text(0, "lo"),
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        HttpResponse<String> r = sidecar.post("/v1/messages",
                CONVERSATION.formatted(",\"stream\":true").replace("\"gpt\"", "\"claude\""), HEADERS);
        List<Sse> events = Sse.parse(r.body());
        assertEquals(List.of("message_start", "ping", "content_block_start", "content_block_delta",
                "content_block_delta", "error"), events.stream().map(Sse::name).toList());
        assertEquals("lo", events.get(4).json().at("/delta/text").asText());
        assertEquals("overloaded_error", events.get(5).json().at("/error/type").asText());
        assertTrue(anthropic.last().body().path("stream").asBoolean());
    }

    private static String completion(String content, String toolCalls, String finishReason) {
        return """
                {"id":"chatcmpl-abc","object":"chat.completion","created":1,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":%s,"tool_calls":%s},
                   "finish_reason":"%s"}],
                 "usage":{"prompt_tokens":100,"completion_tokens":9,"total_tokens":109,
                   "prompt_tokens_details":{"cached_tokens":20}}}""".formatted(content, toolCalls, finishReason);
    }

    private static String chunk(String delta, String finishReason) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}";
    }
}
