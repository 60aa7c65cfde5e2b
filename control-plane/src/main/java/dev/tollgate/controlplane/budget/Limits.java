package dev.tollgate.controlplane.budget;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The budget and rate limits of a key, team or user, as LiteLLM names them. An empty field means
 * "no limit". Money is integer micro-dollars. Budget windows start at {@code budgetAnchor} and
 * follow each other every {@code budgetDuration}; without a duration the budget never resets.
 * Immutable.
 */
public record Limits(
        Optional<Long> maxBudgetMicros, Optional<Long> softBudgetMicros, Optional<BudgetDuration> budgetDuration,
        Instant budgetAnchor, Optional<Long> rpmLimit, Optional<Long> tpmLimit, Optional<Long> maxParallelRequests) {

    public Limits {
        Objects.requireNonNull(budgetAnchor, "budgetAnchor");
        nonNegative("max_budget", maxBudgetMicros);
        nonNegative("soft_budget", softBudgetMicros);
        nonNegative("rpm_limit", rpmLimit);
        nonNegative("tpm_limit", tpmLimit);
        nonNegative("max_parallel_requests", maxParallelRequests);
    }

    /** No limit at all, windows anchored at {@code anchor}. */
    public static Limits none(Instant anchor) {
        return new Limits(Optional.empty(), Optional.empty(), Optional.empty(), anchor, Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** The budget window containing {@code now}. */
    public BudgetWindow window(Instant now) {
        return BudgetWindow.containing(budgetAnchor, budgetDuration, now);
    }

    private static void nonNegative(String field, Optional<Long> value) {
        if (value.isPresent() && value.get() < 0) {
            throw new IllegalArgumentException(field + ": " + value.get() + " (expected: >= 0)");
        }
    }
}
