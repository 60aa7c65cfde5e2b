package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in {@code mock/} provider: deterministic answers, streamed or not, with usage. */
class MockProviderTest {

    private static final String VIRTUAL_KEY = "tg-test-virtual-key-0003";
    private static final String ALIAS = "mock-chat";
    /** "Hi there" is 8 characters: 1 + 8/4 prompt tokens; the answer below is 11 words. */
    private static final String EXPECTED = "This is a mock response from demo. You said: Hi there";
    private static final long PROMPT_TOKENS = 3;
    private static final long COMPLETION_TOKENS = 11;

    @TempDir
    static Path dataDir;
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start(dataDir, "unused", fake -> TestPolicy.snapshot(1, List.of(
                        TestPolicy.alias(ALIAS, TestPolicy.mock("demo", Map.of())),
                        TestPolicy.alias("fixed-mock", TestPolicy.mock("demo", Map.of("mock_response", "Fixed answer")))),
                List.of(TestPolicy.key(VIRTUAL_KEY, "ci"))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void answersDeterministically() {
        HttpResponse<String> first = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody(ALIAS, "Hi there"));
        HttpResponse<String> second = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody(ALIAS, "Hi there"));

        assertEquals(200, first.statusCode(), first.body());
        assertEquals(EXPECTED, content(first));
        assertEquals(content(first), content(second));
    }

    @Test
    void answersWithTheConfiguredMockResponse() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("fixed-mock", "Hi there"));

        assertEquals("Fixed answer", content(response));
    }

    @Test
    void reportsUsageInTheBodyAndTheUsageRecord() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody(ALIAS, "Hi there"));

        JsonNode usage = Sidecar.json(response.body()).path("usage");
        UsageRecord record = stack.controlPlane.awaitUsage(
                response.headers().firstValue("x-tollgate-request-id").orElseThrow(), Duration.ofSeconds(5));
        assertAll(
                () -> assertEquals(PROMPT_TOKENS, usage.path("prompt_tokens").asLong()),
                () -> assertEquals(COMPLETION_TOKENS, usage.path("completion_tokens").asLong()),
                () -> assertEquals(PROMPT_TOKENS + COMPLETION_TOKENS, usage.path("total_tokens").asLong()),
                () -> assertEquals(PROMPT_TOKENS, record.getPromptTokens()),
                () -> assertEquals(COMPLETION_TOKENS, record.getCompletionTokens()),
                () -> assertEquals("mock", record.getProvider()));
    }

    @Test
    void streamsTheSameContentWordByWordThenDone() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.streamBody(ALIAS, "Hi there", false));

        assertEquals(200, response.statusCode(), response.body());
        List<String> events = Sidecar.events(response.body());
        assertEquals("[DONE]", events.get(events.size() - 1));
        StringBuilder content = new StringBuilder();
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = Sidecar.json(event);
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertTrue(chunk.path("usage").isMissingNode(), "no usage chunk unless asked: " + event);
            content.append(chunk.path("choices").path(0).path("delta").path("content").asText());
        }
        assertEquals(EXPECTED, content.toString());
        assertEquals(EXPECTED.split(" ").length + 3, events.size(), "role chunk, one per word, finish chunk, [DONE]");
    }

    @Test
    void streamReportsUsageWhenAsked() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.streamBody(ALIAS, "Hi there", true));

        List<String> events = Sidecar.events(response.body());
        JsonNode usageChunk = Sidecar.json(events.get(events.size() - 2));
        UsageRecord record = stack.controlPlane.awaitUsage(
                response.headers().firstValue("x-tollgate-request-id").orElseThrow(), Duration.ofSeconds(5));
        assertAll(
                () -> assertTrue(usageChunk.path("choices").isEmpty()),
                () -> assertEquals(PROMPT_TOKENS, usageChunk.path("usage").path("prompt_tokens").asLong()),
                () -> assertEquals(COMPLETION_TOKENS, usageChunk.path("usage").path("completion_tokens").asLong()),
                () -> assertEquals(COMPLETION_TOKENS, record.getCompletionTokens()),
                () -> assertTrue(record.getStream()));
    }

    private static String content(HttpResponse<String> response) {
        return Sidecar.json(response.body()).path("choices").path(0).path("message").path("content").asText();
    }
}
