package dev.tollgate.sidecar.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** {@code least-busy}: the deployment with the fewest calls in flight from this sidecar; ties at random. */
final class LeastBusy implements Strategy {

    @Override
    public Candidate pick(List<Candidate> candidates, RandomGenerator random, long nowMs) {
        int least = Integer.MAX_VALUE;
        List<Candidate> tied = new ArrayList<>();
        for (Candidate c : candidates) {
            int busy = c.state().inFlight();
            if (busy < least) {
                least = busy;
                tied.clear();
            }
            if (busy == least) {
                tied.add(c);
            }
        }
        return Strategy.anyOf(tied, random);
    }

    @Override
    public String name() {
        return "least-busy";
    }
}
