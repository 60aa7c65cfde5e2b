package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat completions through an {@code openai/} deployment whose api_base is a fake OpenAI on
 * loopback: what the provider receives, what the client gets back, streamed and not.
 */
class OpenAiDeploymentTest {

    private static final String PROVIDER_KEY = "sk-proj-test-provider-key-0001";
    private static final String VIRTUAL_KEY = "tg-test-virtual-key-0001";
    private static final String ALIAS = "fast-chat";
    private static final String MODEL = "gpt-4o-mini-2024-07-18";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    static Path dataDir;
    private static Stack stack;
    private static FakeOpenAi upstream;
    private static FakeControlPlane controlPlane;
    private static Sidecar sidecar;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start(dataDir, PROVIDER_KEY, fake -> TestPolicy.snapshot(1,
                List.of(TestPolicy.alias(ALIAS, TestPolicy.openAi(MODEL, fake.apiBase(), PROVIDER_KEY))),
                List.of(TestPolicy.key(VIRTUAL_KEY, "ci"))));
        upstream = stack.upstream;
        controlPlane = stack.controlPlane;
        sidecar = stack.sidecar;
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        upstream.requests.clear();
    }

    @Test
    void providerReceivesTheDeploymentModelAndTheProviderKey() throws Exception {
        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody(ALIAS, "Say hello"));

        assertEquals(200, response.statusCode(), response.body());
        FakeOpenAi.Received received = upstream.requests.poll(5, TimeUnit.SECONDS);
        assertAll(
                () -> assertEquals(MODEL, received.body().path("model").asText()),
                () -> assertEquals("Bearer " + PROVIDER_KEY, received.authorization()),
                () -> assertEquals("Say hello", received.body().path("messages").path(0).path("content").asText()),
                () -> assertEquals(FakeOpenAi.CONTENT,
                        Sidecar.json(response.body()).path("choices").path(0).path("message").path("content").asText()));
    }

    @Test
    void responseCarriesTheGatewayHeaders() {
        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody(ALIAS, "Say hello"));

        assertEquals(200, response.statusCode(), response.body());
        assertAll(
                () -> assertTrue(response.headers().firstValue("x-tollgate-request-id").isPresent()),
                () -> assertEquals(ALIAS, response.headers().firstValue("x-tollgate-alias").orElse("")),
                () -> assertEquals(ALIAS + "#0", response.headers().firstValue("x-tollgate-deployment").orElse("")),
                () -> assertTrue(response.headers().firstValue("traceparent").orElse("")
                        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), response.headers().toString()));
    }

    @Test
    void incomingTraceparentKeepsItsTraceId() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpan = "00f067aa0ba902b7";

        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody(ALIAS, "Say hello"),
                "traceparent", "00-" + traceId + "-" + callerSpan + "-01");

        String traceparent = response.headers().firstValue("traceparent").orElse("");
        String[] parts = traceparent.split("-");
        assertEquals(4, parts.length, traceparent);
        assertEquals(traceId, parts[1]);
        assertNotEquals(callerSpan, parts[2], "the gateway's span is its own, a child of the caller's");
        UsageRecord record = controlPlane.awaitUsage(requestId(response), WAIT);
        assertEquals(traceId, record.getTraceId());
    }

    @Test
    void streamRelaysChunksInOrderAndEndsWithDone() {
        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.streamBody(ALIAS, "Say hello", true));

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<String> events = Sidecar.events(response.body());
        List<String> expected = new java.util.ArrayList<>(FakeOpenAi.streamEvents(MODEL, true));
        expected.add("[DONE]");
        assertEquals(expected, events);
        assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
    }

    @Test
    void streamWithoutIncludeUsageHidesTheUsageChunkButRecordsTheTokens() throws Exception {
        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.streamBody(ALIAS, "Say hello", false));

        assertEquals(200, response.statusCode(), response.body());
        List<String> events = Sidecar.events(response.body());
        List<String> upstreamEvents = FakeOpenAi.streamEvents(MODEL, true);
        List<String> expected = new java.util.ArrayList<>(upstreamEvents.subList(0, upstreamEvents.size() - 1));
        expected.add("[DONE]");
        assertEquals(expected, events, "every chunk but the usage-only one");
        assertTrue(upstream.requests.poll(5, TimeUnit.SECONDS).body()
                .path("stream_options").path("include_usage").asBoolean(), "the sidecar asks for usage itself");
        UsageRecord record = controlPlane.awaitUsage(requestId(response), WAIT);
        assertAll(
                () -> assertEquals(FakeOpenAi.PROMPT_TOKENS, record.getPromptTokens()),
                () -> assertEquals(FakeOpenAi.COMPLETION_TOKENS, record.getCompletionTokens()),
                () -> assertEquals(FakeOpenAi.CACHED_TOKENS, record.getCachedTokens()),
                () -> assertTrue(record.getStream()),
                () -> assertEquals(200, record.getHttpStatus()));
    }

    @Test
    void streamWithIncludeUsageRelaysTheUsageChunk() {
        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.streamBody(ALIAS, "Say hello", true));

        List<String> events = Sidecar.events(response.body());
        JsonNode usageChunk = Sidecar.json(events.get(events.size() - 2));
        assertAll(
                () -> assertTrue(usageChunk.path("choices").isEmpty()),
                () -> assertEquals(FakeOpenAi.PROMPT_TOKENS, usageChunk.path("usage").path("prompt_tokens").asLong()),
                () -> assertEquals(FakeOpenAi.COMPLETION_TOKENS,
                        usageChunk.path("usage").path("completion_tokens").asLong()));
    }

    @Test
    void nonStreamUsageIsReportedToTheControlPlane() {
        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody(ALIAS, "Say hello"));

        UsageRecord record = controlPlane.awaitUsage(requestId(response), WAIT);
        assertAll(
                () -> assertEquals("key-ci", record.getKeyId()),
                () -> assertEquals(ALIAS, record.getAlias()),
                () -> assertEquals(ALIAS + "#0", record.getDeploymentId()),
                () -> assertEquals("openai", record.getProvider()),
                () -> assertEquals(MODEL, record.getModel()),
                () -> assertEquals(FakeOpenAi.PROMPT_TOKENS, record.getPromptTokens()),
                () -> assertEquals(FakeOpenAi.COMPLETION_TOKENS, record.getCompletionTokens()),
                () -> assertEquals(200, record.getHttpStatus()),
                () -> assertEquals(Sidecar.NAME, record.getSidecarName()));
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("x-tollgate-request-id").orElseThrow();
    }
}
