package dev.tollgate.sidecar.routing;

/**
 * Fires {@link Watch watches} when their deadline passes. Arming and disarming are called by
 * request threads at every attempt, so they must be cheap and must not block. Thread-safe.
 */
public interface Watchdog {

    /**
     * Starts watching {@code thread} (the caller): {@link Watch#fire()} at {@code deadlineNanos}
     * ({@link System#nanoTime()}) unless disarmed.
     */
    Watch arm(Thread thread, long deadlineNanos);

    /** Forgets {@code watch} (after {@link Watch#end()}; a late fire would find it ended anyway). */
    void disarm(Watch watch);
}
