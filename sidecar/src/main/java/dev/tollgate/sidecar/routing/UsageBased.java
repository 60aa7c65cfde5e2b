package dev.tollgate.sidecar.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code usage-based-routing}: the deployment with the most rpm/tpm headroom left in this minute
 * (the smaller of its rpm and tpm fractions; a deployment without limits has all its headroom), then
 * the one that used the fewest tokens, then at random. A deployment at its rpm or tpm is unavailable
 * until the next minute. Counts are this sidecar's own.
 */
final class UsageBased implements Strategy {

    @Override
    public Candidate pick(List<Candidate> candidates, RandomGenerator random, long nowMs) {
        List<Candidate> tied = new ArrayList<>();
        double bestHeadroom = -1;
        long fewestTokens = Long.MAX_VALUE;
        for (Candidate c : candidates) {
            double headroom = headroom(c, nowMs);
            long tokens = c.state().tokensThisMinute(nowMs);
            if (headroom > bestHeadroom || headroom == bestHeadroom && tokens < fewestTokens) {
                bestHeadroom = headroom;
                fewestTokens = tokens;
                tied.clear();
            }
            if (headroom == bestHeadroom && tokens == fewestTokens) {
                tied.add(c);
            }
        }
        return Strategy.anyOf(tied, random);
    }

    static double headroom(Candidate c, long nowMs) {
        double h = 1;
        if (c.settings().rpm().isPresent() && c.settings().rpm().getAsLong() > 0) {
            long rpm = c.settings().rpm().getAsLong();
            h = Math.min(h, (rpm - c.state().requestsThisMinute(nowMs)) / (double) rpm);
        }
        if (c.settings().tpm().isPresent() && c.settings().tpm().getAsLong() > 0) {
            long tpm = c.settings().tpm().getAsLong();
            h = Math.min(h, (tpm - c.state().tokensThisMinute(nowMs)) / (double) tpm);
        }
        return h;
    }

    @Override
    public boolean enforcesUsageLimits() {
        return true;
    }

    @Override
    public String name() {
        return "usage-based-routing";
    }
}
