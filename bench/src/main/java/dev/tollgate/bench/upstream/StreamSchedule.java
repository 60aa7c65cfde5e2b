package dev.tollgate.bench.upstream;

/**
 * When each chunk of a fake stream is due: chunk {@code i} at the first chunk's time plus {@code i}
 * gaps. A sleep that ends late (a loaded machine, a slow proxy reading the previous chunk) shortens
 * the next wait instead of pushing every later chunk back, so a stream's total time is the
 * configured pace plus the last chunk's own delay, and "total added" in the report is what the hop
 * adds rather than how much the upstream's sleeps drifted. Confined to one stream's thread.
 */
final class StreamSchedule {

    private final long firstNanos;
    private final long gapNanos;

    /** @param firstNanos {@link System#nanoTime()} when the first chunk went out */
    StreamSchedule(long firstNanos, long gapNanos) {
        if (gapNanos < 0) {
            throw new IllegalArgumentException("gapNanos: " + gapNanos + " (expected >= 0)");
        }
        this.firstNanos = firstNanos;
        this.gapNanos = gapNanos;
    }

    /** How long to wait at {@code nowNanos} before sending chunk {@code index} (0 when it is due or late). */
    long waitBefore(int index, long nowNanos) {
        long due = firstNanos + index * gapNanos;
        return Math.max(0, due - nowNanos);
    }
}
