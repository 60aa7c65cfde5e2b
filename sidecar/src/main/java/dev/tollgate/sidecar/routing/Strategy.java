package dev.tollgate.sidecar.routing;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How the router chooses among the healthy deployments of one {@code order} tier. Implementations
 * read live state ({@link DeploymentState}) and are thread-safe.
 */
interface Strategy {

    /** Picks one of {@code candidates} (never empty). */
    Candidate pick(List<Candidate> candidates, RandomGenerator random, long nowMs);

    /** Whether deployments at their rpm/tpm for this minute are unavailable under this strategy. */
    default boolean enforcesUsageLimits() {
        return false;
    }

    String name();

    /** By LiteLLM's name; "" (or unknown) is simple-shuffle. */
    static Strategy named(String name) {
        return switch (name) {
            case "least-busy" -> new LeastBusy();
            case "latency-based-routing" -> new LatencyBased();
            case "usage-based-routing", "usage-based-routing-v2" -> new UsageBased();
            case "cost-based-routing" -> new CostBased();
            default -> new SimpleShuffle();
        };
    }

    /** A uniformly random one of {@code tied} (never empty). */
    static Candidate anyOf(List<Candidate> tied, RandomGenerator random) {
        return tied.size() == 1 ? tied.get(0) : tied.get(random.nextInt(tied.size()));
    }
}
