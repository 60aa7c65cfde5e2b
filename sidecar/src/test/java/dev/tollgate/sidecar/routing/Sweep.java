package dev.tollgate.sidecar.routing;

import java.util.random.RandomGenerator;

/**
 * A "random" source that walks evenly through [0, 1) in {@code n} steps and starts over, so that a
 * weighted choice made {@code n} times lands exactly in proportion to the weights. Thread-safe.
 */
final class Sweep implements RandomGenerator {

    private final int n;
    private long step;

    Sweep(int n) {
        this.n = n;
    }

    @Override
    public synchronized double nextDouble() {
        return (step++ % n + 0.5) / n;
    }

    @Override
    public int nextInt(int bound) {
        return (int) (nextDouble() * bound);
    }

    @Override
    public long nextLong() {
        return (long) (nextDouble() * Long.MAX_VALUE);
    }
}
