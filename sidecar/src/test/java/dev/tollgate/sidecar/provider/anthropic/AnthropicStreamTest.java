package dev.tollgate.sidecar.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streamed chat completions through the anthropic/ adapter: Anthropic events in, OpenAI chunks out. */
class AnthropicStreamTest {

    static final String START = """
            {"type":"message_start","message":{"id":"msg_S1","type":"message","role":"assistant","content":[],\
            "model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,\
            "usage":{"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":1}}}""";
    static final String PING = "{\"type\":\"ping\"}";
    static final String STOP = "{\"type\":\"message_stop\"}";

    private FakeAnthropic fake;
    private TestSidecar sidecar;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeAnthropic();
        sidecar = new TestSidecar(TestSidecar.deployment("claude", "anthropic", "claude-sonnet-4-5", fake.base(),
                FakeAnthropic.KEY, Map.of()));
    }

    @AfterEach
    void stop() {
        sidecar.close();
        fake.close();
    }

    static String blockStart(int index, String block) {
        return "{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":" + block + "}";
    }

    static String text(int index, String text) {
        return "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":{\"type\":\"text_delta\",\"text\":"
                + FakeAnthropic.quote(text) + "}}";
    }

    static String json(int index, String partial) {
        return "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + FakeAnthropic.quote(partial) + "}}";
    }

    static String blockStop(int index) {
        return "{\"type\":\"content_block_stop\",\"index\":" + index + "}";
    }

    static String messageDelta(String stopReason, int outputTokens) {
        return "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + outputTokens + "}}";
    }

    private List<Sse> stream(String extra) throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/chat/completions", "{\"model\":\"claude\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + extra + "}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/event-stream", r.headers().firstValue("content-type").orElse(""));
        return Sse.parse(r.body());
    }

    @Test
    void textStreamBecomesOpenAiChunksInOrderEndingWithDone() throws Exception {
        fake.reply = FakeAnthropic.Reply.events(START, blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"), PING,
                text(0, "Hello"), text(0, " world"), blockStop(0), messageDelta("end_turn", 15), STOP);
        List<Sse> events = stream("");

        assertTrue(fake.last().body().path("stream").asBoolean());
        assertEquals("[DONE]", events.get(events.size() - 1).data());
        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(Sse::json).toList();
        assertEquals(4, chunks.size(), events.toString());
        assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
        assertEquals("Hello", chunks.get(1).at("/choices/0/delta/content").asText());
        assertEquals(" world", chunks.get(2).at("/choices/0/delta/content").asText());
        assertEquals("stop", chunks.get(3).at("/choices/0/finish_reason").asText());
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals("msg_S1", chunk.path("id").asText());
            assertFalse(chunk.has("usage"), "no usage chunk unless asked");
        }
        Await.until(() -> !sidecar.usage.isEmpty(), "the usage record");
        assertEquals(30, sidecar.usage.get(0).getPromptTokens());
        assertEquals(15, sidecar.usage.get(0).getCompletionTokens());
        assertTrue(sidecar.usage.get(0).getStream());
    }

    @Test
    void includeUsageAddsAFinalChunkWithEmptyChoicesAndUsage() throws Exception {
        fake.reply = FakeAnthropic.Reply.events(START, blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"),
                text(0, "Hi"), blockStop(0), messageDelta("max_tokens", 3), STOP);
        List<Sse> events = stream(",\"stream_options\":{\"include_usage\":true}");

        JsonNode finish = events.get(events.size() - 3).json();
        assertEquals("length", finish.at("/choices/0/finish_reason").asText());
        JsonNode usage = events.get(events.size() - 2).json();
        assertEquals(0, usage.path("choices").size());
        assertEquals(30, usage.at("/usage/prompt_tokens").asLong());
        assertEquals(3, usage.at("/usage/completion_tokens").asLong());
        assertEquals(5, usage.at("/usage/prompt_tokens_details/cached_tokens").asLong());
        assertFalse(fake.last().body().has("stream_options"), "Anthropic refuses unknown fields");
    }

    @Test
    void toolUseStreamBecomesToolCallDeltasNameFirstThenArguments() throws Exception {
        fake.reply = FakeAnthropic.Reply.events(START,
                blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"), text(0, "Checking."), blockStop(0),
                blockStart(1, "{\"type\":\"tool_use\",\"id\":\"toolu_A\",\"name\":\"get_weather\",\"input\":{}}"),
                json(1, ""), json(1, "{\"city\": \"Pa"), json(1, "ris\"}"), blockStop(1), PING,
                blockStart(2, "{\"type\":\"tool_use\",\"id\":\"toolu_B\",\"name\":\"get_time\",\"input\":{}}"),
                json(2, "{\"tz\":\"CET\"}"), blockStop(2), messageDelta("tool_use", 60), STOP);
        List<JsonNode> chunks = stream("").stream().filter(e -> !e.data().equals("[DONE]")).map(Sse::json).toList();

        assertEquals("Checking.", chunks.get(1).at("/choices/0/delta/content").asText());
        JsonNode first = chunks.get(2).at("/choices/0/delta/tool_calls/0");
        assertEquals(0, first.path("index").asInt());
        assertEquals("toolu_A", first.path("id").asText());
        assertEquals("function", first.path("type").asText());
        assertEquals("get_weather", first.at("/function/name").asText());
        assertEquals("", first.at("/function/arguments").asText());
        assertEquals("{\"city\": \"Pa", chunks.get(3).at("/choices/0/delta/tool_calls/0/function/arguments").asText());
        assertEquals("ris\"}", chunks.get(4).at("/choices/0/delta/tool_calls/0/function/arguments").asText());
        JsonNode second = chunks.get(5).at("/choices/0/delta/tool_calls/0");
        assertEquals(1, second.path("index").asInt());
        assertEquals("get_time", second.at("/function/name").asText());
        assertEquals(1, chunks.get(6).at("/choices/0/delta/tool_calls/0/index").asInt());
        assertEquals("tool_calls", chunks.get(7).at("/choices/0/finish_reason").asText());
        assertEquals(8, chunks.size());
    }

    @Test
    void jsonModeStreamsTheForcedToolInputAsContent() throws Exception {
        fake.reply = FakeAnthropic.Reply.events(START,
                blockStart(0, "{\"type\":\"tool_use\",\"id\":\"toolu_J\",\"name\":\"json_response\",\"input\":{}}"),
                json(0, "{\"ok\":"), json(0, "true}"), blockStop(0), messageDelta("tool_use", 5), STOP);
        List<JsonNode> chunks = stream(",\"response_format\":{\"type\":\"json_object\"}").stream()
                .filter(e -> !e.data().equals("[DONE]")).map(Sse::json).toList();
        StringBuilder content = new StringBuilder();
        chunks.forEach(c -> content.append(c.at("/choices/0/delta/content").asText("")));
        assertEquals("{\"ok\":true}", content.toString());
        assertEquals("stop", chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText());
        assertEquals("{\"type\":\"tool\",\"name\":\"json_response\"}", fake.last().body().path("tool_choice").toString());
    }

    @Test
    void errorEventMidStreamEndsTheStreamWithAnOpenAiErrorEvent() throws Exception {
        fake.reply = FakeAnthropic.Reply.events(START, blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"),
                text(0, "Hel"), "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        List<Sse> events = stream("");
        JsonNode last = events.get(events.size() - 1).json();
        assertEquals("provider_overloaded", last.at("/error/code").asText());
        assertTrue(last.at("/error/message").asText().contains("Overloaded"));
        assertFalse(events.stream().anyMatch(e -> e.data().equals("[DONE]")));
        Await.until(() -> !sidecar.usage.isEmpty(), "the usage record");
        assertEquals(503, sidecar.usage.get(0).getHttpStatus());
    }

    @Test
    void streamCutBeforeMessageStopIsAStreamError() throws Exception {
        fake.reply = FakeAnthropic.Reply.events(START, blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"),
                text(0, "Hel"));
        List<Sse> events = stream("");
        assertEquals("provider_stream_error", events.get(events.size() - 1).json().at("/error/code").asText());
    }
}
