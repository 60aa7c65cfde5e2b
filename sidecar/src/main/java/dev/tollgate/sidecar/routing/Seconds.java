package dev.tollgate.sidecar.routing;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/** Seconds as LiteLLM writes them (30, 2.5, "0.25") to durations and back. Stateless. */
final class Seconds {

    private Seconds() {
    }

    /** A positive number of seconds, or empty for anything else. */
    static Optional<Duration> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            BigDecimal s = new BigDecimal(text.strip());
            if (s.signum() <= 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(s.movePointRight(9).min(BigDecimal.valueOf(Long.MAX_VALUE)).longValue()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** "2.5 s", "0.25 s", "30 s". */
    static String text(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }
}
