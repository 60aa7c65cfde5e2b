package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.JSON;
import static dev.tollgate.sidecar.routing.RoutedSidecar.deployment;
import static dev.tollgate.sidecar.routing.RoutedSidecar.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.testing.SseData;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Timeouts: a request never takes longer than its total timeout (header, body or router_settings),
 * whatever its retries; a deployment's own timeout moves the call to another deployment.
 */
class TimeoutTest {

    /** Scheduling slack on a loaded 2-core machine; the limits under test are 0.3-0.6 s. */
    private static final long MARGIN_MS = 700;

    private FaultyOpenAi upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private record Timed(HttpResponse<String> response, long elapsedMs) {
    }

    private static Timed timed(Callable<HttpResponse<String>> call) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = call.call();
        return new Timed(r, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aRequestNeverExceedsItsTotalTimeoutWhateverItsRetries() throws Exception {
        upstream.always("a", FaultyOpenAi.HANG).always("b", FaultyOpenAi.HANG);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "timeout", "0.3").deployment("chat", "b", "timeout", "0.3")
                .settings(s -> s.setNumRetries(5))
                .start()) {
            Timed t = timed(() -> sidecar.chat("chat", "x-tollgate-timeout", "0.5"));
            assertEquals(504, t.response().statusCode(), t.response().body());
            assertEquals("provider_timeout", error(t.response()).path("code").asText());
            assertTrue(t.elapsedMs() >= 450 && t.elapsedMs() <= 500 + MARGIN_MS, t.elapsedMs() + " ms");
            assertTrue(error(t.response()).path("message").asText().contains("no answer within the request's total "
                    + "timeout of 0.5 s (x-tollgate-timeout)"), t.response().body());
            assertEquals(2, upstream.calls.size(), "0.3 s on one deployment, the 0.2 s left on the other");
        }
    }

    @Test
    void routerSettingsTimeoutIsTheTotalWhenTheRequestSetsNone() throws Exception {
        upstream.always("solo", FaultyOpenAi.HANG);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "solo")
                .settings(s -> s.setTimeoutMs(400).setNumRetries(3))
                .start()) {
            Timed t = timed(() -> sidecar.chat("chat"));
            assertEquals(504, t.response().statusCode());
            assertTrue(t.elapsedMs() <= 400 + MARGIN_MS, t.elapsedMs() + " ms");
            assertTrue(error(t.response()).path("message").asText().contains("(router_settings.timeout)"),
                    t.response().body());
        }
    }

    @Test
    void timeoutInTheBodyIsHonouredAndNeverSentToTheProvider() throws Exception {
        upstream.script("solo", FaultyOpenAi.OK, FaultyOpenAi.HANG);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo").start()) {
            String body = "{\"model\":\"chat\",\"timeout\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            assertEquals(200, sidecar.post("/v1/chat/completions", body.formatted("5")).statusCode());
            assertFalse(upstream.calls.get(0).body().has("timeout"), upstream.calls.get(0).body().toString());

            Timed t = timed(() -> sidecar.post("/v1/chat/completions", body.formatted("0.4")));
            assertEquals(504, t.response().statusCode());
            assertTrue(t.elapsedMs() <= 400 + MARGIN_MS, t.elapsedMs() + " ms");
            assertTrue(error(t.response()).path("message").asText().contains("(timeout in the request body)"));
        }
    }

    @Test
    void liteLlmTimeoutHeaderIsAcceptedToo() throws Exception {
        upstream.always("solo", FaultyOpenAi.HANG);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo").start()) {
            Timed t = timed(() -> sidecar.chat("chat", "x-litellm-timeout", "0.3"));
            assertEquals(504, t.response().statusCode());
            assertTrue(t.elapsedMs() <= 300 + MARGIN_MS, t.elapsedMs() + " ms");
        }
    }

    @Test
    void aDeploymentThatExceedsItsOwnTimeoutIsRetriedOnAnother() throws Exception {
        upstream.always("a", FaultyOpenAi.HANG);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1", "timeout", "0.3")
                .deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(1))
                .start()) {
            Timed t = timed(() -> sidecar.chat("chat"));
            assertEquals(200, t.response().statusCode(), t.response().body());
            assertEquals("chat#b", deployment(t.response()));
            assertTrue(t.elapsedMs() < 300 + MARGIN_MS, t.elapsedMs() + " ms");
            assertEquals("provider_timeout", sidecar.usage(0).getRouterAttempts(0).getErrorCode());
        }
    }

    @Test
    void aSlowAnswerWithinTheTimeoutIsServed() throws Exception {
        upstream.always("solo", new FaultyOpenAi.Ok(250));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo", "timeout", "2").start()) {
            assertEquals(200, sidecar.chat("chat", "x-tollgate-timeout", "3").statusCode());
        }
    }

    @Test
    void aStreamStillRunningAtItsTotalTimeoutEndsWithAnErrorEvent() throws Exception {
        upstream.always("solo", new FaultyOpenAi.HangAfterFirstChunk());
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo").start()) {
            Timed t = timed(() -> sidecar.stream("chat", "x-tollgate-timeout", "0.6"));
            assertEquals(200, t.response().statusCode());
            assertTrue(t.elapsedMs() <= 600 + MARGIN_MS, t.elapsedMs() + " ms");
            List<String> data = SseData.of(t.response().body());
            JsonNode last = JSON.readTree(data.get(data.size() - 1));
            assertEquals("provider_timeout", last.path("error").path("code").asText());
            assertTrue(last.path("error").path("message").asText().contains("the stream did not finish within the "
                    + "request's total timeout of 0.6 s"), last.toString());
        }
    }

    @Test
    void aMalformedTimeoutIsRefusedNamingWhereItCameFrom() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo").start()) {
            HttpResponse<String> header = sidecar.chat("chat", "x-tollgate-timeout", "-1");
            assertEquals(400, header.statusCode());
            assertEquals("x-tollgate-timeout", error(header).path("param").asText());
            HttpResponse<String> body = sidecar.post("/v1/chat/completions",
                    "{\"model\":\"chat\",\"timeout\":\"soon\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(400, body.statusCode());
            assertEquals("timeout in the request body: \"soon\" (expected: seconds > 0, e.g. 30 or 2.5)",
                    error(body).path("message").asText());
            assertEquals(0, upstream.calls.size());
        }
    }
}
