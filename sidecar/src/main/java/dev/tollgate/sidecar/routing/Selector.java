package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.Failures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Chooses the deployment of an alias for one call: leaves out deployments that are unusable,
 * cooling down or (under usage-based routing) at their rpm/tpm; prefers those this request has not
 * tried yet, then the lowest {@code order} tier; lets the strategy pick within the tier; and takes a
 * {@code max_parallel_requests} slot, moving on to another deployment when that one is full.
 * Stateless.
 */
final class Selector {

    private Selector() {
    }

    static Selection select(String alias, List<Candidate> all, Set<String> tried, Strategy strategy,
                            RandomGenerator random, long nowMs) {
        if (all.size() == 1) {
            // Most aliases have one deployment: take it when nothing stands in the way; anything
            // else (broken, cooling, at a limit, full, tried) goes the general way, which explains it.
            Candidate only = all.get(0);
            if (only.broken().isEmpty() && !tried.contains(only.id()) && only.state().cooldownAt(nowMs).isEmpty()
                    && !(strategy.enforcesUsageLimits() && UsageBased.headroom(only, nowMs) <= 0)) {
                Optional<DeploymentState.Lease> lease = only.state().tryAcquire(only.settings().maxParallelRequests());
                if (lease.isPresent()) {
                    return new Selection.Picked(only, lease.get());
                }
            }
        }
        List<Candidate> usable = all.stream().filter(c -> c.broken().isEmpty()).toList();
        if (usable.isEmpty()) {
            return new Selection.Broken(all.get(0), all.get(0).broken().orElseThrow());
        }
        Unavailability why = new Unavailability(nowMs);
        List<Candidate> untried = new ArrayList<>();
        List<Candidate> again = new ArrayList<>();
        for (Candidate c : usable) {
            Optional<Cooldown> cooldown = c.state().cooldownAt(nowMs);
            if (cooldown.isPresent()) {
                why.coolingDown(c, cooldown.get());
            } else if (strategy.enforcesUsageLimits() && UsageBased.headroom(c, nowMs) <= 0) {
                why.atUsageLimit(c);
            } else {
                (tried.contains(c.id()) ? again : untried).add(c);
            }
        }
        for (List<Candidate> pool : List.of(untried, again)) {
            while (!pool.isEmpty()) {
                Candidate c = strategy.pick(lowestOrder(pool), random, nowMs);
                Optional<DeploymentState.Lease> lease = c.state().tryAcquire(c.settings().maxParallelRequests());
                if (lease.isPresent()) {
                    return new Selection.Picked(c, lease.get());
                }
                why.full(c);
                pool.remove(c);
            }
        }
        return new Selection.Unavailable(Failures.noDeploymentsAvailable(alias, why.allRateLimited,
                String.join("; ", why.reasons), why.retryAfterSeconds()));
    }

    /** Whether a deployment this request has not tried yet could take a call now (for the backoff choice). */
    static boolean hasUntried(List<Candidate> all, Set<String> tried, Strategy strategy, long nowMs) {
        return all.stream().anyMatch(c -> c.broken().isEmpty() && !tried.contains(c.id())
                && c.state().cooldownAt(nowMs).isEmpty()
                && !(strategy.enforcesUsageLimits() && UsageBased.headroom(c, nowMs) <= 0));
    }

    /** LiteLLM's rule: when any deployment sets {@code order}, only the lowest order is used; unset ones come last. */
    private static List<Candidate> lowestOrder(List<Candidate> pool) {
        OptionalInt lowest = pool.stream().map(c -> c.settings().order()).filter(OptionalInt::isPresent)
                .mapToInt(OptionalInt::getAsInt).min();
        if (lowest.isEmpty()) {
            return pool;
        }
        return pool.stream().filter(c -> c.settings().order().equals(lowest)).toList();
    }

    /** Why each deployment could not be picked, as no_deployments_available will say it. */
    private static final class Unavailability {
        final long nowMs;
        final List<String> reasons = new ArrayList<>();
        boolean allRateLimited = true;
        long earliestMs = Long.MAX_VALUE;

        Unavailability(long nowMs) {
            this.nowMs = nowMs;
        }

        void coolingDown(Candidate c, Cooldown cooldown) {
            reasons.add(c.describe() + " is cooling down until " + Instant.ofEpochMilli(cooldown.untilMs()) + " (in "
                    + Seconds.text(java.time.Duration.ofMillis(cooldown.untilMs() - nowMs)) + ") because "
                    + cooldown.reason());
            allRateLimited &= cooldown.rateLimited();
            earliestMs = Math.min(earliestMs, cooldown.untilMs());
        }

        void atUsageLimit(Candidate c) {
            long nextMinute = (Math.floorDiv(nowMs, 60_000) + 1) * 60_000;
            reasons.add(c.describe() + " has used its rpm/tpm (rpm " + c.settings().rpm().orElse(0) + ", tpm "
                    + c.settings().tpm().orElse(0) + ") for this minute, until " + Instant.ofEpochMilli(nextMinute));
            earliestMs = Math.min(earliestMs, nextMinute);
        }

        void full(Candidate c) {
            reasons.add(c.describe() + " is at its max_parallel_requests ("
                    + c.settings().maxParallelRequests().orElse(0) + " calls in flight)");
            earliestMs = Math.min(earliestMs, nowMs + 1000);
        }

        long retryAfterSeconds() {
            return earliestMs == Long.MAX_VALUE ? 1 : Math.max(1, (earliestMs - nowMs + 999) / 1000);
        }
    }
}
