package dev.tollgate.controlplane.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One budget window: {@code [start, end)}, or all time (from the epoch) when the budget never
 * resets. Windows are computed, not stored: window k of an entity is
 * {@code [anchor + k * duration, anchor + (k + 1) * duration)}, so every replica and every restart
 * agrees on the boundaries. Immutable.
 */
public record BudgetWindow(Instant start, Optional<Instant> end) {

    /** Rate limits count per minute, on minutes aligned to the epoch. */
    public static final Duration RATE_WINDOW = Duration.ofMinutes(1);

    public static BudgetWindow containing(Instant anchor, Optional<BudgetDuration> duration, Instant now) {
        if (duration.isEmpty()) {
            // A budget that never resets covers all spend, as LiteLLM's key spend does.
            return new BudgetWindow(Instant.EPOCH, Optional.empty());
        }
        long length = duration.get().duration().toMillis();
        long elapsed = now.toEpochMilli() - anchor.toEpochMilli();
        long k = Math.floorDiv(elapsed, length);
        Instant start = Instant.ofEpochMilli(anchor.toEpochMilli() + k * length);
        return new BudgetWindow(start, Optional.of(start.plusMillis(length)));
    }

    /** The rate-limit minute containing {@code now}. */
    public static BudgetWindow rateMinute(Instant now) {
        long length = RATE_WINDOW.toMillis();
        long start = Math.floorDiv(now.toEpochMilli(), length) * length;
        return new BudgetWindow(Instant.ofEpochMilli(start), Optional.of(Instant.ofEpochMilli(start + length)));
    }

    public long endMillisOrZero() {
        return end.map(Instant::toEpochMilli).orElse(0L);
    }
}
