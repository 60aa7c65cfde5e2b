package dev.tollgate.sidecar.routing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * {@code cost-based-routing}: the deployment with the lowest input_cost_per_token +
 * output_cost_per_token (the control plane fills them from the price map); ties at random. A
 * deployment without a price comes after every priced one.
 */
final class CostBased implements Strategy {

    @Override
    public Candidate pick(List<Candidate> candidates, RandomGenerator random, long nowMs) {
        List<Candidate> cheapest = new ArrayList<>();
        Optional<BigDecimal> best = Optional.empty();
        for (Candidate c : candidates) {
            Optional<BigDecimal> cost = c.settings().cost();
            int cmp = compare(cost, best);
            if (cheapest.isEmpty() || cmp < 0) {
                best = cost;
                cheapest.clear();
                cheapest.add(c);
            } else if (cmp == 0) {
                cheapest.add(c);
            }
        }
        return Strategy.anyOf(cheapest, random);
    }

    /** Unpriced sorts last. */
    private static int compare(Optional<BigDecimal> a, Optional<BigDecimal> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(a.isEmpty(), b.isEmpty());
        }
        return a.get().compareTo(b.get());
    }

    @Override
    public String name() {
        return "cost-based-routing";
    }
}
