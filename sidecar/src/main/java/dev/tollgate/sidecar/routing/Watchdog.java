package dev.tollgate.sidecar.routing;

import java.util.function.LongUnaryOperator;

/**
 * Fires {@link Watch watches} when their deadline passes. Arming and disarming are called by
 * request threads at every attempt, so they must be cheap and must not block. Thread-safe.
 */
public interface Watchdog {

    /**
     * Starts watching {@code thread} (the caller): {@link Watch#fire()} at {@code deadlineNanos}
     * ({@link System#nanoTime()}) unless disarmed.
     */
    default Watch arm(Thread thread, long deadlineNanos) {
        return arm(thread, deadlineNanos, null);
    }

    /**
     * Starts watching {@code thread} for a limit that moves: {@code deadlineNanos} is the earliest it
     * can pass, and then {@code moving} says, given the time, the earliest it can pass now (see
     * {@link Watch}); null for a fixed limit.
     */
    Watch arm(Thread thread, long deadlineNanos, LongUnaryOperator moving);

    /** Forgets {@code watch} (after {@link Watch#end()}; a late fire would find it ended anyway). */
    void disarm(Watch watch);
}
