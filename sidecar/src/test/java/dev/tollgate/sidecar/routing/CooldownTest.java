package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.deployment;
import static dev.tollgate.sidecar.routing.RoutedSidecar.error;
import static dev.tollgate.sidecar.routing.RoutedSidecar.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deployment health: cooldowns after allowed_fails, at once on a refused credential, for a 429's
 * Retry-After; recovery when the cooldown ends (on a test clock: no sleeping); and
 * no_deployments_available when nothing is left.
 */
class CooldownTest {

    private FaultyOpenAi upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private RoutedSidecar.Builder primaryAndBackup() {
        return RoutedSidecar.on(upstream)
                .deployment("chat", "primary", "order", "1")
                .deployment("chat", "backup", "order", "2");
    }

    @Test
    void moreThanAllowedFailsWithinAMinuteCoolsADeploymentDownUntilCooldownTimeHasPassed() throws Exception {
        upstream.always("primary", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = primaryAndBackup()
                .settings(s -> s.setAllowedFails(1).setCooldownTimeMs(10_000))
                .start()) {
            assertEquals(502, sidecar.chat("chat").statusCode(), "first failure: allowed");
            assertEquals(502, sidecar.chat("chat").statusCode(), "second failure: more than allowed_fails");
            assertEquals("chat#backup", deployment(sidecar.chat("chat")), "primary cools down");

            sidecar.clock.advance(Duration.ofSeconds(9));
            assertEquals("chat#backup", deployment(sidecar.chat("chat")), "still cooling down");

            sidecar.clock.advance(Duration.ofSeconds(1));
            assertEquals("chat#primary", deployment(sidecar.chat("chat")), "cooldown_time over: back in rotation");
            assertEquals(3, upstream.callsTo("primary"));
        }
    }

    @Test
    void failuresOlderThanAMinuteDoNotCount() throws Exception {
        upstream.always("primary", FaultyOpenAi.status(503));
        try (RoutedSidecar sidecar = primaryAndBackup().settings(s -> s.setAllowedFails(1)).start()) {
            sidecar.chat("chat");
            sidecar.clock.advance(Duration.ofSeconds(61));
            sidecar.chat("chat");
            assertEquals("chat#primary", deployment(sidecar.chat("chat")), "two failures a minute apart: still tried");
            assertEquals(3, upstream.callsTo("primary"), "never cooled down");
        }
    }

    @Test
    void aRefusedCredentialCoolsTheDeploymentDownAtOnce() throws Exception {
        upstream.always("primary", FaultyOpenAi.status(401));
        try (RoutedSidecar sidecar = primaryAndBackup().start()) {
            HttpResponse<String> refused = sidecar.chat("chat");
            assertEquals(401, refused.statusCode());
            assertEquals("provider_auth_error", error(refused).path("code").asText());
            assertEquals("chat#backup", deployment(sidecar.chat("chat")), "no second request pays for the bad key");

            sidecar.clock.advance(Duration.ofSeconds(5));
            assertEquals(401, sidecar.chat("chat").statusCode(), "the default cooldown_time is 5 s");
        }
    }

    @Test
    void a429CoolsTheDeploymentDownForItsRetryAfter() throws Exception {
        upstream.script("primary", FaultyOpenAi.rateLimited(7));
        try (RoutedSidecar sidecar = primaryAndBackup().start()) {
            assertEquals(429, sidecar.chat("chat").statusCode());
            assertEquals("chat#backup", deployment(sidecar.chat("chat")));
            sidecar.clock.advance(Duration.ofSeconds(6));
            assertEquals("chat#backup", deployment(sidecar.chat("chat")));
            sidecar.clock.advance(Duration.ofSeconds(1));
            assertEquals("chat#primary", deployment(sidecar.chat("chat")));
        }
    }

    @Test
    void anAliasWithOneDeploymentCoolsDownOnlyWhenAllowedFailsIsSet() throws Exception {
        upstream.always("solo", FaultyOpenAi.status(401));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo").start()) {
            assertEquals("provider_auth_error", error(sidecar.chat("chat")).path("code").asText());
            assertEquals("provider_auth_error", error(sidecar.chat("chat")).path("code").asText(),
                    "the provider's own error, not no_deployments_available");
        }
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo")
                .settings(s -> s.setAllowedFails(0)).start()) {
            assertEquals("provider_auth_error", error(sidecar.chat("chat")).path("code").asText());
            assertEquals("no_deployments_available", error(sidecar.chat("chat")).path("code").asText());
        }
    }

    @Test
    void noDeploymentsAvailableNamesEachDeploymentWhyAndUntilWhen() throws Exception {
        upstream.always("primary", FaultyOpenAi.status(401)).always("backup", FaultyOpenAi.status(503));
        try (RoutedSidecar sidecar = primaryAndBackup()
                .settings(s -> s.setAllowedFails(0).setCooldownTimeMs(30_000))
                .start()) {
            sidecar.chat("chat");
            sidecar.clock.advance(Duration.ofSeconds(10));
            sidecar.chat("chat");
            sidecar.clock.advance(Duration.ofSeconds(1));

            HttpResponse<String> r = sidecar.chat("chat");
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("service_unavailable", error(r).path("type").asText());
            assertEquals("no_deployments_available", error(r).path("code").asText());
            assertEquals("No deployment of alias 'chat' can take this request now: "
                    + "'chat#primary' (provider openai) is cooling down until 2026-11-24T12:00:30Z (in 19 s) because the "
                    + "provider refused its credential (provider_auth_error, HTTP 401), which cools a deployment down "
                    + "at once; "
                    + "'chat#backup' (provider openai) is cooling down until 2026-11-24T12:00:40Z (in 29 s) because 1 "
                    + "failures within a minute (allowed_fails: 0), the last provider_overloaded (HTTP 503). "
                    + "Retry after 19 s, or check those deployments (provider status, credentials, rate limits).",
                    error(r).path("message").asText());
            assertEquals("19", header(r, "retry-after"));
            assertEquals("0", header(r, "x-tollgate-attempts"));
            assertEquals(2, upstream.calls.size(), "no provider was called");
        }
    }

    @Test
    void whenEveryDeploymentIsRateLimitedTheAnswerIs429() throws Exception {
        upstream.always("primary", FaultyOpenAi.rateLimited(10)).always("backup", FaultyOpenAi.rateLimited(20));
        try (RoutedSidecar sidecar = primaryAndBackup().start()) {
            sidecar.chat("chat");
            sidecar.chat("chat");
            HttpResponse<String> r = sidecar.chat("chat");
            assertEquals(429, r.statusCode(), r.body());
            assertEquals("rate_limit_error", error(r).path("type").asText());
            assertEquals("no_deployments_available", error(r).path("code").asText());
            assertTrue(error(r).path("message").asText().contains("because the provider rate-limited it "
                    + "(provider_rate_limited, HTTP 429) with Retry-After: 10 s"), r.body());
            assertEquals("10", header(r, "retry-after"));
        }
    }
}
