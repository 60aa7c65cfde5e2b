package dev.tollgate.controlplane.cloud;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When to refresh a minted credential and how long to wait after a failed mint.
 *
 * @param fraction   refresh once this share of the lifetime has passed (0.8)
 * @param margin     ...or this long before expiry, whichever comes first (5 min)
 * @param firstRetry wait after the first failure, doubled after each further one
 * @param maxRetry   the longest wait between retries
 */
public record RefreshPolicy(double fraction, Duration margin, Duration firstRetry, Duration maxRetry) {

    public static final RefreshPolicy STANDARD = new RefreshPolicy(0.8, Duration.ofMinutes(5), Duration.ofSeconds(1),
            Duration.ofMinutes(1));

    public RefreshPolicy {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction: " + fraction + " (expected: between 0 and 1)");
        }
        Objects.requireNonNull(margin, "margin");
        if (firstRetry.isNegative() || firstRetry.isZero() || maxRetry.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("retry: " + firstRetry + " to " + maxRetry
                    + " (expected: 0 < firstRetry <= maxRetry)");
        }
    }

    /**
     * The earlier of {@code fraction} of the lifetime and {@code margin} before expiry, but never
     * before half the lifetime: a token shorter-lived than the margin would otherwise be refreshed
     * as soon as it arrives, in a loop.
     */
    public Instant refreshAt(Instant issued, Instant expires) {
        long lifetime = Duration.between(issued, expires).toMillis();
        Instant byFraction = issued.plusMillis((long) (lifetime * fraction));
        Instant byMargin = expires.minus(margin);
        Instant at = byFraction.isBefore(byMargin) ? byFraction : byMargin;
        Instant floor = issued.plusMillis(lifetime / 2);
        return at.isBefore(floor) ? floor : at;
    }

    /** The wait after the {@code failures}-th failure in a row (1-based). */
    public Duration retryDelay(int failures) {
        Duration delay = firstRetry;
        for (int i = 1; i < failures && delay.compareTo(maxRetry) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxRetry) > 0 ? maxRetry : delay;
    }
}
