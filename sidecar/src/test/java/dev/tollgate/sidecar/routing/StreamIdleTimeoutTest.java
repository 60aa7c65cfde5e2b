package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.testing.SseData;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * stream_idle_timeout: once a stream's first chunk went out, a provider that sends nothing more for
 * that long ends the stream with a provider_timeout error event; the wait for the first chunk is
 * stream_timeout's business, not this limit's.
 */
class StreamIdleTimeoutTest {

    /** Scheduling slack on a loaded 2-core machine; the limits under test are 0.3 s. */
    private static final long MARGIN_MS = 1500;

    private FaultyOpenAi upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private static JsonNode lastEvent(HttpResponse<String> r) throws Exception {
        List<String> data = SseData.of(r.body());
        return JSON.readTree(data.get(data.size() - 1));
    }

    @Test
    void aStreamThatStallsAfterItsFirstChunkEndsWithAnIdleTimeoutEvent() throws Exception {
        upstream.always("solo", new FaultyOpenAi.HangAfterFirstChunk());
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "solo", "stream_idle_timeout", "0.3").start()) {
            long start = System.nanoTime();
            HttpResponse<String> r = sidecar.stream("chat");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.statusCode());
            assertTrue(elapsedMs >= 250 && elapsedMs <= 300 + MARGIN_MS, elapsedMs + " ms");
            assertTrue(r.body().contains("\"content\":\"from\""), "the first chunk reached the client: " + r.body());
            JsonNode error = lastEvent(r).path("error");
            assertEquals("provider_timeout", error.path("code").asText(), r.body());
            String message = error.path("message").asText();
            assertTrue(message.contains("Deployment 'chat#solo'"), message);
            assertTrue(message.contains("no chunk within the deployment's stream_idle_timeout of 0.3 s"), message);

            UsageRecord u = sidecar.usage(0);
            assertEquals(504, u.getHttpStatus());
            assertEquals("provider_timeout", u.getErrorType());
            assertEquals("provider_timeout", u.getRouterAttempts(0).getErrorCode());
            assertEquals(1, upstream.calls.size(), "a started stream is never retried");
        }
    }

    @Test
    void theRequestHeaderSetsTheIdleLimitUnderEitherName() throws Exception {
        upstream.always("solo", new FaultyOpenAi.HangAfterFirstChunk());
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo").start()) {
            for (String header : List.of("x-tollgate-stream-idle-timeout", "x-litellm-stream-idle-timeout")) {
                HttpResponse<String> r = sidecar.stream("chat", header, "0.3", "x-tollgate-timeout", "20");
                JsonNode error = lastEvent(r).path("error");
                assertEquals("provider_timeout", error.path("code").asText(), r.body());
                assertTrue(error.path("message").asText().contains("the stream_idle_timeout of 0.3 s (" + header + ")"),
                        error.toString());
            }
        }
    }

    @Test
    void theIdleLimitDoesNotCountTheWaitForTheFirstChunk() throws Exception {
        upstream.always("slow", new FaultyOpenAi.Ok(600));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "slow", "stream_idle_timeout", "0.2").start()) {
            HttpResponse<String> r = sidecar.stream("chat");
            assertEquals(200, r.statusCode());
            assertEquals("[DONE]", SseData.of(r.body()).get(SseData.of(r.body()).size() - 1), r.body());
            assertEquals("", sidecar.usage(0).getErrorType());
        }
    }
}
