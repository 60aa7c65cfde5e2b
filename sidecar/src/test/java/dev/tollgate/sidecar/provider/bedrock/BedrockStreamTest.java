package dev.tollgate.sidecar.provider.bedrock;

import static dev.tollgate.sidecar.provider.bedrock.BedrockFixture.json;
import static dev.tollgate.sidecar.provider.bedrock.BedrockFixture.sse;
import static dev.tollgate.sidecar.provider.bedrock.EventStreamEncoder.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bedrock ConverseStream (eventstream framing) relayed as OpenAI chunks through the real sidecar. */
class BedrockStreamTest {

    private static final String HI = "{\"model\":\"claude\",\"stream\":true,%s"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    private static final String WITH_USAGE = HI.formatted("\"stream_options\":{\"include_usage\":true},");
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
    void converseStreamBecomesOpenAiChunksInOrderWithUsage() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", WITH_USAGE);

        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        assertEquals("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream", f.fake.last().rawPath());
        BedrockFixture.Sse stream = sse(r.body());
        List<JsonNode> chunks = stream.events();
        assertTrue(stream.done());
        assertEquals(6, chunks.size(), r.body());
        assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
        assertEquals("Hello", chunks.get(1).at("/choices/0/delta/content").asText());
        assertEquals(" from", chunks.get(2).at("/choices/0/delta/content").asText());
        assertEquals(" Bedrock.", chunks.get(3).at("/choices/0/delta/content").asText());
        assertEquals("stop", chunks.get(4).at("/choices/0/finish_reason").asText());
        for (JsonNode c : chunks.subList(0, 4)) {
            assertTrue(c.at("/choices/0/finish_reason").isNull(), c.toString());
            assertEquals("chat.completion.chunk", c.path("object").asText());
        }
        JsonNode usage = chunks.get(5);
        assertEquals(0, usage.path("choices").size());
        assertEquals(12, usage.at("/usage/prompt_tokens").asInt());
        assertEquals(5, usage.at("/usage/completion_tokens").asInt());
        assertEquals(12, f.usage(r).getPromptTokens());
        assertTrue(f.usage(r).getStream());
    }

    @Test
    void usageChunkIsLeftOutUnlessAskedButStillRecorded() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted(""));

        List<JsonNode> chunks = sse(r.body()).events();
        assertEquals(5, chunks.size(), r.body());
        assertTrue(chunks.stream().noneMatch(c -> c.has("usage")));
        assertEquals(5, f.usage(r).getCompletionTokens());
    }

    @Test
    void streamedToolUseBecomesToolCallDeltasIndexedByToolCall() throws Exception {
        f.fake.answers = req -> FakeBedrock.stream(
                event("messageStart", "{\"role\":\"assistant\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Checking.\"}}"),
                event("contentBlockStop", "{\"contentBlockIndex\":0}"),
                event("contentBlockStart", "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":"
                        + "{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\"}}}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{\\\"city\\\":\"}}}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"\\\"Paris\\\"}\"}}}"),
                event("contentBlockStop", "{\"contentBlockIndex\":1}"),
                event("contentBlockStart", "{\"contentBlockIndex\":2,\"start\":{\"toolUse\":"
                        + "{\"toolUseId\":\"tooluse_2\",\"name\":\"get_weather\"}}}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"toolUse\":"
                        + "{\"input\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}}"),
                event("contentBlockStop", "{\"contentBlockIndex\":2}"),
                event("messageStop", "{\"stopReason\":\"tool_use\"}"),
                event("metadata", "{\"usage\":{\"inputTokens\":40,\"outputTokens\":30,\"totalTokens\":70},"
                        + "\"metrics\":{\"latencyMs\":5}}"));

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","stream":true,"messages":[{"role":"user","content":"Paris and Rome?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather"}}]}""");

        List<JsonNode> chunks = sse(r.body()).events();
        assertEquals("Checking.", chunks.get(1).at("/choices/0/delta/content").asText());
        JsonNode start = chunks.get(2).at("/choices/0/delta/tool_calls/0");
        assertEquals(0, start.path("index").asInt());
        assertEquals("tooluse_1", start.path("id").asText());
        assertEquals("function", start.path("type").asText());
        assertEquals("get_weather", start.at("/function/name").asText());
        StringBuilder[] arguments = {new StringBuilder(), new StringBuilder()};
        List<String> ids = new ArrayList<>();
        for (JsonNode c : chunks) {
            for (JsonNode call : c.at("/choices/0/delta/tool_calls")) {
                arguments[call.path("index").asInt()].append(call.at("/function/arguments").asText());
                if (call.has("id")) {
                    ids.add(call.path("id").asText());
                }
            }
        }
        assertEquals(List.of("tooluse_1", "tooluse_2"), ids);
        assertEquals(json("{\"city\":\"Paris\"}"), json(arguments[0].toString()));
        assertEquals(json("{\"city\":\"Rome\"}"), json(arguments[1].toString()));
        assertEquals("tool_calls", chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText());
        assertEquals(30, f.usage(r).getCompletionTokens());
    }

    @Test
    void eachEventIsRelayedBeforeTheUpstreamStreamEnds() throws Exception {
        CountDownLatch clientSawHello = new CountDownLatch(1);
        f.fake.answers = req -> new FakeBedrock.Stream(List.of(
                new FakeBedrock.Frame(event("messageStart", "{\"role\":\"assistant\"}")),
                new FakeBedrock.Frame(event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hello\"}}")),
                new FakeBedrock.Await(clientSawHello),
                new FakeBedrock.Frame(event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" again\"}}")),
                new FakeBedrock.Frame(event("messageStop", "{\"stopReason\":\"end_turn\"}")),
                new FakeBedrock.Frame(event("metadata", "{\"usage\":{\"inputTokens\":1,\"outputTokens\":2}}"))));

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(f.sidecar.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + TestSidecar.KEY)
                .POST(HttpRequest.BodyPublishers.ofString(HI.formatted(""))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
                if (line.contains("\"Hello\"")) {
                    // Only reachable if the sidecar relayed the chunk while Bedrock's stream is still open.
                    clientSawHello.countDown();
                }
            }
        }
        assertEquals(0, clientSawHello.getCount());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\" again\"")));
        assertEquals("data: [DONE]", lines.stream().filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse(""));
    }

    @Test
    void throttlingMidStreamEndsTheStreamWithARateLimitErrorEvent() throws Exception {
        f.fake.answers = req -> FakeBedrock.stream(
                event("messageStart", "{\"role\":\"assistant\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"),
                EventStreamEncoder.exception("throttlingException", "Too many tokens, please wait before trying again."));

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted(""));

        assertEquals(200, r.statusCode());
        BedrockFixture.Sse stream = sse(r.body());
        assertFalse(stream.done());
        assertEquals("Hel", stream.events().get(1).at("/choices/0/delta/content").asText());
        JsonNode error = stream.events().get(stream.events().size() - 1).path("error");
        assertEquals("provider_rate_limited", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("Too many tokens, please wait"), error.toString());
        assertEquals(429, f.usage(r).getHttpStatus());
    }

    @Test
    void modelStreamErrorMidStreamIsProviderStreamError() throws Exception {
        f.fake.answers = req -> FakeBedrock.stream(
                event("messageStart", "{\"role\":\"assistant\"}"),
                EventStreamEncoder.exception("modelStreamErrorException", "The model stream was interrupted."));

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted(""));

        List<JsonNode> events = sse(r.body()).events();
        JsonNode error = events.get(events.size() - 1).path("error");
        assertEquals("provider_stream_error", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("modelStreamErrorException"), error.toString());
        assertTrue(error.path("message").asText().contains("The model stream was interrupted."), error.toString());
    }

    @Test
    void corruptedFrameEndsTheStreamWithBadResponse() throws Exception {
        byte[] corrupted = event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"x\"}}");
        corrupted[corrupted.length - 10] ^= 0x01;
        f.fake.answers = req -> FakeBedrock.stream(event("messageStart", "{\"role\":\"assistant\"}"), corrupted);

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted(""));

        List<JsonNode> events = sse(r.body()).events();
        JsonNode error = events.get(events.size() - 1).path("error");
        assertEquals("provider_bad_response", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("checksum"), error.toString());
    }

    @Test
    void streamWithoutMessageStopStillEndsWithAFinishReason() throws Exception {
        f.fake.answers = req -> FakeBedrock.stream(
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}"));

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", WITH_USAGE);

        BedrockFixture.Sse stream = sse(r.body());
        assertTrue(stream.done());
        List<JsonNode> chunks = stream.events();
        assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
        assertEquals("stop", chunks.get(2).at("/choices/0/finish_reason").asText());
        assertEquals(0, chunks.get(3).at("/usage/total_tokens").asInt());
    }

    @Test
    void streamRefusedBeforeItStartsIsAPlainHttpError() throws Exception {
        f.fake.answers = req -> new FakeBedrock.Json(429, "ThrottlingException", "{\"message\":\"Rate exceeded\"}",
                FakeBedrock.headers("Retry-After", "7"));

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted(""));

        assertEquals(429, r.statusCode(), r.body());
        assertEquals("7", r.headers().firstValue("retry-after").orElse(""));
        assertEquals("provider_rate_limited", json(r.body()).at("/error/code").asText());
    }
}
