package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.deployment;
import static dev.tollgate.sidecar.routing.RoutedSidecar.error;
import static dev.tollgate.sidecar.routing.RoutedSidecar.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.proto.control.v1.RouterAttempt;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Retries within an alias: which failures, how many, where to, and how long to wait. */
class RetryTest {

    private FaultyOpenAi upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void aServerErrorIsRetriedOnAnotherDeploymentWithoutWaiting() throws Exception {
        upstream.always("a", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1")
                .deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(1))
                .start()) {
            HttpResponse<String> r = sidecar.chat("chat");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("chat#b", deployment(r));
            assertEquals("2", header(r, "x-tollgate-attempts"));
            assertEquals(List.of("a", "b"), upstream.order());
            assertEquals(List.of(), sidecar.pauses, "the failure was the other deployment's: no backoff");

            UsageRecord record = sidecar.usage(0);
            assertEquals(2, record.getAttempts());
            assertEquals("chat#b", record.getDeploymentId());
            List<RouterAttempt> attempts = record.getRouterAttemptsList();
            assertEquals("chat#a", attempts.get(0).getDeploymentId());
            assertEquals(502, attempts.get(0).getStatus());
            assertEquals("provider_error", attempts.get(0).getErrorCode());
            assertEquals("chat#b", attempts.get(1).getDeploymentId());
            assertEquals(200, attempts.get(1).getStatus());
            assertEquals("", attempts.get(1).getErrorCode());
            assertEquals("openai", attempts.get(1).getProvider());
            assertTrue(attempts.get(1).getStartedAtMs() > 0);
        }
    }

    @Test
    void eachAttemptCarriesItsOwnClientSpanAndTheRecordRepeatsTheAnsweringOne() throws Exception {
        upstream.always("a", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1")
                .deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(1))
                .start()) {
            assertEquals(200, sidecar.chat("chat").statusCode());
            UsageRecord record = sidecar.usage(0);
            List<RouterAttempt> attempts = record.getRouterAttemptsList();
            assertEquals(2, attempts.size());
            RouterAttempt failed = attempts.get(0);
            RouterAttempt answered = attempts.get(1);
            for (RouterAttempt a : attempts) {
                assertTrue(a.getSpanId().matches("[0-9a-f]{16}"), a.getSpanId());
                assertTrue(a.getDurationUs() > 0, "duration of " + a.getDeploymentId());
                assertEquals("127.0.0.1", a.getServerAddress());
                assertTrue(a.getStartOffsetUs() + a.getDurationUs() <= record.getDurationUs());
            }
            assertFalse(failed.getSpanId().equals(answered.getSpanId()), "a new span per attempt");
            assertEquals("a", failed.getModel());
            assertEquals("b", answered.getModel());
            assertTrue(answered.getStartOffsetUs() >= failed.getStartOffsetUs() + failed.getDurationUs(),
                    "the retry starts after the failed call ended");
            assertEquals(answered.getSpanId(), record.getProviderSpanId());
            assertEquals(answered.getStartOffsetUs(), record.getProviderStartOffsetUs());
            assertEquals(answered.getDurationUs(), record.getProviderDurationUs());
        }
    }

    @Test
    void retriesOnTheOnlyDeploymentBackOffExponentiallyWithJitter() throws Exception {
        upstream.script("solo", FaultyOpenAi.status(503), FaultyOpenAi.status(529), FaultyOpenAi.OK);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "solo")
                .settings(s -> s.setNumRetries(2))
                .start()) {
            HttpResponse<String> r = sidecar.chat("chat");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("3", header(r, "x-tollgate-attempts"));
            assertEquals(2, sidecar.pauses.size());
            Duration first = sidecar.pauses.get(0);
            Duration second = sidecar.pauses.get(1);
            assertTrue(first.toMillis() >= 125 && first.toMillis() <= 500, "0.5 s step, 25-100 %: " + first);
            assertTrue(second.toMillis() >= 250 && second.toMillis() <= 1000, "1 s step, 25-100 %: " + second);
        }
    }

    @Test
    void theProvidersRetryAfterIsTheLeastWait() throws Exception {
        upstream.script("solo", FaultyOpenAi.rateLimited(3), FaultyOpenAi.OK);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "solo")
                .settings(s -> s.setNumRetries(1))
                .start()) {
            assertEquals(200, sidecar.chat("chat").statusCode());
            assertEquals(List.of(Duration.ofSeconds(3)), sidecar.pauses);
        }
    }

    @Test
    void routerRetryAfterIsTheLeastWaitEvenOnAnotherDeployment() throws Exception {
        upstream.always("a", FaultyOpenAi.status(502));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1")
                .deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(1).setRetryAfterMs(250))
                .start()) {
            assertEquals(200, sidecar.chat("chat").statusCode());
            assertEquals(List.of(Duration.ofMillis(250)), sidecar.pauses);
        }
    }

    @Test
    void aRetryAfterBeyondTheRequestsTimeoutEndsAtOnceWithTheProvidersAnswer() throws Exception {
        upstream.always("solo", FaultyOpenAi.rateLimited(30));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "solo")
                .settings(s -> s.setNumRetries(2))
                .start()) {
            HttpResponse<String> r = sidecar.chat("chat", "x-tollgate-timeout", "5");
            assertEquals(429, r.statusCode(), r.body());
            assertEquals("provider_rate_limited", error(r).path("code").asText());
            assertEquals("30", header(r, "retry-after"), "the client learns when to come back");
            assertEquals(1, upstream.calls.size());
            assertEquals(List.of(), sidecar.pauses);
        }
    }

    @ParameterizedTest
    @CsvSource({"400, 400, provider_bad_request", "401, 401, provider_auth_error",
                "403, 403, provider_permission_denied", "404, 404, provider_model_not_found"})
    void clientAndCredentialErrorsAreNotRetriedByDefault(int upstreamStatus, int status, String code) throws Exception {
        upstream.always("a", FaultyOpenAi.status(upstreamStatus));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1")
                .deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(3))
                .start()) {
            HttpResponse<String> r = sidecar.chat("chat");
            assertEquals(status, r.statusCode(), r.body());
            assertEquals(code, error(r).path("code").asText());
            assertEquals(List.of("a"), upstream.order());
            assertEquals("1", header(r, "x-tollgate-attempts"));
            assertEquals("chat#a", deployment(r), "the error names the deployment that failed");
        }
    }

    @Test
    void retryPolicyCanTurnOffRetriesOfOneClass() throws Exception {
        upstream.always("a", FaultyOpenAi.status(429));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1")
                .deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(3).putRetryPolicy("RateLimitErrorRetries", 0))
                .start()) {
            assertEquals(429, sidecar.chat("chat").statusCode());
            assertEquals(List.of("a"), upstream.order());
        }
    }

    @Test
    void retryPolicyCanRetryAClassThatIsNotRetriedByDefault() throws Exception {
        upstream.always("a", FaultyOpenAi.status(401));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1")
                .deployment("chat", "b", "order", "2")
                .settings(s -> s.putRetryPolicy("AuthenticationErrorRetries", 1))
                .start()) {
            HttpResponse<String> r = sidecar.chat("chat");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("chat#b", deployment(r));
        }
    }

    @Test
    void numRetriesHeaderOverridesTheSettingUnderEitherName() throws Exception {
        upstream.script("solo", FaultyOpenAi.status(500), FaultyOpenAi.status(500), FaultyOpenAi.OK,
                FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "solo")
                .start()) {
            HttpResponse<String> retried = sidecar.chat("chat", "x-tollgate-num-retries", "2");
            assertEquals(200, retried.statusCode(), retried.body());
            assertEquals("3", header(retried, "x-tollgate-attempts"));

            HttpResponse<String> notRetried = sidecar.chat("chat", "x-litellm-num-retries", "0");
            assertEquals(502, notRetried.statusCode());
            assertEquals(4, upstream.calls.size());
        }
    }

    @Test
    void numRetriesInTheBodyIsHonouredAndNotSentToTheProvider() throws Exception {
        upstream.script("solo", FaultyOpenAi.status(500), FaultyOpenAi.OK);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "solo")
                .start()) {
            HttpResponse<String> r = sidecar.post("/v1/chat/completions",
                    "{\"model\":\"chat\",\"num_retries\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, r.statusCode(), r.body());
            upstream.calls.forEach(c -> assertFalse(c.body().has("num_retries"), c.body().toString()));
        }
    }

    @Test
    void eachRetryGetsTheRequestAsTheAppSentIt() throws Exception {
        upstream.always("a", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1")
                .deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(1))
                .start()) {
            assertEquals(200, sidecar.stream("chat").statusCode());
            // Each deployment gets its own model; the stream_options the relay adds to the first
            // attempt's body do not leak into the request the retry starts from.
            assertEquals("a", upstream.calls.get(0).body().path("model").asText());
            assertEquals("b", upstream.calls.get(1).body().path("model").asText());
            assertEquals("hi", upstream.calls.get(1).body().path("messages").get(0).path("content").asText());
        }
    }

    @Test
    void aMalformedOverrideHeaderIsRefusedNamingIt() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo").start()) {
            HttpResponse<String> r = sidecar.chat("chat", "x-tollgate-num-retries", "lots");
            assertEquals(400, r.statusCode());
            assertEquals("x-tollgate-num-retries", error(r).path("param").asText());
            assertEquals("x-tollgate-num-retries: \"lots\" (expected: an integer from 0 to 100)",
                    error(r).path("message").asText());
            assertEquals(0, upstream.calls.size());
        }
    }
}
