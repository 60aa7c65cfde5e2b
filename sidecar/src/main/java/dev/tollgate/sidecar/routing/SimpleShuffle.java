package dev.tollgate.sidecar.routing;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code simple-shuffle} (the default): a random deployment, weighted by {@code weight} when any
 * deployment of the tier sets one (the others then weigh 1), else by {@code rpm} when every one sets
 * it, else by {@code tpm} when every one sets it, else uniformly.
 */
final class SimpleShuffle implements Strategy {

    @Override
    public Candidate pick(List<Candidate> candidates, RandomGenerator random, long nowMs) {
        double[] weights = weights(candidates);
        double total = 0;
        if (weights != null) {
            for (double w : weights) {
                total += w;
            }
        }
        if (weights == null || total <= 0) {
            return Strategy.anyOf(candidates, random);
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return candidates.get(i);
            }
        }
        return candidates.get(candidates.size() - 1);
    }

    private static double[] weights(List<Candidate> candidates) {
        double[] w = new double[candidates.size()];
        if (candidates.stream().anyMatch(c -> c.settings().weight().isPresent())) {
            for (int i = 0; i < w.length; i++) {
                w[i] = candidates.get(i).settings().weight().orElse(1);
            }
            return w;
        }
        if (candidates.stream().allMatch(c -> c.settings().rpm().isPresent())) {
            for (int i = 0; i < w.length; i++) {
                w[i] = candidates.get(i).settings().rpm().getAsLong();
            }
            return w;
        }
        if (candidates.stream().allMatch(c -> c.settings().tpm().isPresent())) {
            for (int i = 0; i < w.length; i++) {
                w[i] = candidates.get(i).settings().tpm().getAsLong();
            }
            return w;
        }
        return null;
    }

    @Override
    public String name() {
        return "simple-shuffle";
    }
}
