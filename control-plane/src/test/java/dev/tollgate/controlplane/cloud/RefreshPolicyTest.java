package dev.tollgate.controlplane.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RefreshPolicyTest {

    private static final Instant T = Instant.parse("2026-11-24T12:00:00Z");
    private final RefreshPolicy policy = RefreshPolicy.STANDARD;

    private Duration refreshAfter(Duration lifetime) {
        return Duration.between(T, policy.refreshAt(T, T.plus(lifetime)));
    }

    @Test
    void anHourTokenIsRefreshedAt80PercentOfItsLifetime() {
        assertEquals(Duration.ofMinutes(48), refreshAfter(Duration.ofHours(1)));
    }

    @Test
    void whicheverComesFirstOf80PercentAndFiveMinutesBeforeExpiry() {
        assertEquals(Duration.ofMinutes(576), refreshAfter(Duration.ofHours(12)));
        assertEquals(Duration.ofMinutes(15), refreshAfter(Duration.ofMinutes(20)));
    }

    @Test
    void aTokenShorterLivedThanTheMarginIsRefreshedAtHalfItsLifetimeNotInALoop() {
        assertEquals(Duration.ofMinutes(5), refreshAfter(Duration.ofMinutes(10)));
        assertEquals(Duration.ofMinutes(2), refreshAfter(Duration.ofMinutes(4)));
    }

    @Test
    void retriesDoubleFromOneSecondUpToOneMinute() {
        assertEquals(Duration.ofSeconds(1), policy.retryDelay(1));
        assertEquals(Duration.ofSeconds(2), policy.retryDelay(2));
        assertEquals(Duration.ofSeconds(32), policy.retryDelay(6));
        assertEquals(Duration.ofMinutes(1), policy.retryDelay(7));
        assertEquals(Duration.ofMinutes(1), policy.retryDelay(1000));
    }
}
