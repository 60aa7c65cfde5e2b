package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.budget.BudgetDuration;
import dev.tollgate.controlplane.budget.BudgetWindow;
import dev.tollgate.controlplane.budget.Limits;
import dev.tollgate.controlplane.budget.Money;
import java.time.Instant;
import java.util.Optional;

/**
 * The limit fields keys, teams and users share, with LiteLLM's names: {@code max_budget},
 * {@code soft_budget}, {@code budget_duration}, {@code rpm_limit}, {@code tpm_limit},
 * {@code max_parallel_requests}; and how they read back with spend and the window reset time.
 */
final class LimitsJson {

    static final String MAX_BUDGET = "max_budget";
    static final String SOFT_BUDGET = "soft_budget";
    static final String BUDGET_DURATION = "budget_duration";
    static final String RPM = "rpm_limit";
    static final String TPM = "tpm_limit";
    static final String PARALLEL = "max_parallel_requests";

    private LimitsJson() {
    }

    /**
     * {@code base} with the fields present in {@code body} applied (JSON null clears a limit).
     * A new or changed {@code budget_duration} starts a fresh window at {@code now}.
     */
    static Limits apply(JsonNode body, Limits base, Instant now) {
        Optional<Long> max = Fields.given(body, MAX_BUDGET) ? Fields.money(body, MAX_BUDGET) : base.maxBudgetMicros();
        Optional<Long> soft = Fields.given(body, SOFT_BUDGET) ? Fields.money(body, SOFT_BUDGET) : base.softBudgetMicros();
        Optional<BudgetDuration> duration = Fields.given(body, BUDGET_DURATION)
                ? Fields.duration(body, BUDGET_DURATION) : base.budgetDuration();
        Instant anchor = duration.map(BudgetDuration::text).equals(base.budgetDuration().map(BudgetDuration::text))
                ? base.budgetAnchor() : now;
        return new Limits(max, soft, duration, anchor,
                Fields.given(body, RPM) ? Fields.count(body, RPM) : base.rpmLimit(),
                Fields.given(body, TPM) ? Fields.count(body, TPM) : base.tpmLimit(),
                Fields.given(body, PARALLEL) ? Fields.count(body, PARALLEL) : base.maxParallelRequests());
    }

    /** Writes the limits, the current window's spend and remaining budget, and when the window resets. */
    static void describe(ObjectNode out, Limits limits, long spendMicros, Instant now) {
        out.put(MAX_BUDGET, limits.maxBudgetMicros().map(Money::usd).orElse(null));
        out.put(SOFT_BUDGET, limits.softBudgetMicros().map(Money::usd).orElse(null));
        out.put(BUDGET_DURATION, limits.budgetDuration().map(BudgetDuration::text).orElse(null));
        BudgetWindow window = limits.window(now);
        out.put("budget_window_start", limits.budgetDuration().isPresent() ? window.start().toString() : null);
        out.put("budget_reset_at", window.end().map(Instant::toString).orElse(null));
        out.put("spend", Money.usd(spendMicros));
        out.put("remaining_budget", limits.maxBudgetMicros().map(m -> Money.usd(Math.max(0, m - spendMicros)))
                .orElse(null));
        out.put("soft_budget_exceeded", limits.softBudgetMicros().map(s -> spendMicros >= s).orElse(false));
        out.put(RPM, limits.rpmLimit().orElse(null));
        out.put(TPM, limits.tpmLimit().orElse(null));
        out.put(PARALLEL, limits.maxParallelRequests().orElse(null));
    }
}
