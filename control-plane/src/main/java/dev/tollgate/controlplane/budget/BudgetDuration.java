package dev.tollgate.controlplane.budget;

import java.time.Duration;
import java.util.Objects;

/**
 * A LiteLLM {@code budget_duration}: a number and a unit, {@code s}, {@code m}, {@code h} or
 * {@code d} ({@code 30s}, {@code 1h}, {@code 1d}, {@code 30d}). Immutable.
 */
public record BudgetDuration(String text, Duration duration) {

    public BudgetDuration {
        Objects.requireNonNull(text, "text");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("budget_duration: \"" + text + "\" (expected: more than 0)");
        }
    }

    /** Parses {@code 30s}, {@code 15m}, {@code 1h}, {@code 30d}; the message says what was expected. */
    public static BudgetDuration parse(String text) {
        if (text != null && text.length() >= 2) {
            String digits = text.substring(0, text.length() - 1);
            if (digits.length() <= 9 && digits.chars().allMatch(Character::isDigit)) {
                long n = Long.parseLong(digits);
                Duration d = switch (text.charAt(text.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> null;
                };
                if (d != null && n > 0) {
                    return new BudgetDuration(text, d);
                }
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" (expected: a positive number and s, m, h or d, e.g. 30s, 1h, 1d, 30d)");
    }

    @Override
    public String toString() {
        return text;
    }
}
