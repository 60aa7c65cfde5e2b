package dev.tollgate.sidecar.routing;

import java.time.Duration;

/** The moment a request must be answered by, on the monotonic clock. Immutable. */
record Deadline(long endNanos, Duration total, String source) {

    static Deadline after(Duration total, String source) {
        return new Deadline(System.nanoTime() + total.toNanos(), total, source);
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    boolean expired() {
        return endNanos - System.nanoTime() <= 0;
    }

    /** "the request's total timeout of 2.5 s (x-tollgate-timeout)". */
    String describe() {
        return "the request's total timeout of " + Seconds.text(total) + " (" + source + ")";
    }
}
