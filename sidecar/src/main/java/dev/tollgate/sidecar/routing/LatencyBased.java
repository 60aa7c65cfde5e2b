package dev.tollgate.sidecar.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.random.RandomGenerator;

/**
 * {@code latency-based-routing}: the deployment with the lowest latency average (time to first byte
 * for streams, whole call otherwise; a timeout counts as its full wait). A deployment not yet measured
 * (twice: the first call also opens the connection) goes first, and a small share of calls
 * ({@link #EXPLORATION}) goes to a random one, so that a
 * deployment that was slow once is measured again and can win back its traffic.
 */
final class LatencyBased implements Strategy {

    static final double EXPLORATION = 0.05;

    @Override
    public Candidate pick(List<Candidate> candidates, RandomGenerator random, long nowMs) {
        if (candidates.size() > 1 && random.nextDouble() < EXPLORATION) {
            return Strategy.anyOf(candidates, random);
        }
        List<Candidate> unmeasured = new ArrayList<>();
        List<Candidate> fastest = new ArrayList<>();
        double best = Double.MAX_VALUE;
        for (Candidate c : candidates) {
            OptionalDouble latency = c.state().latencyMs();
            if (latency.isEmpty()) {
                unmeasured.add(c);
                continue;
            }
            if (latency.getAsDouble() < best) {
                best = latency.getAsDouble();
                fastest.clear();
            }
            if (latency.getAsDouble() == best) {
                fastest.add(c);
            }
        }
        return Strategy.anyOf(unmeasured.isEmpty() ? fastest : unmeasured, random);
    }

    @Override
    public String name() {
        return "latency-based-routing";
    }
}
