package dev.tollgate.sidecar.routing;

import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The time limit of one attempt that runs on the request's own thread: a {@link Watchdog} may
 * interrupt that thread while the attempt runs, and never after. The request thread and the
 * watchdog race on one atomic state:
 * <pre>
 *   RUNNING ──end()──▶ ENDED                                  (the call ended in time)
 *   RUNNING ──claim()──▶ TIMING_OUT ──deliver()──▶ INTERRUPTED ──end()──▶ ENDED (timed out)
 *                            ▲                          │
 *                            └──────── claim() ─────────┘   (a call that swallowed the interrupt is interrupted again)
 * </pre>
 * Only the watchdog leaves RUNNING for TIMING_OUT, so once the request thread has moved to ENDED no
 * interrupt can come. When it finds the attempt timed out, it waits out TIMING_OUT (the watchdog is
 * between its decision and the interrupt, a few instructions) so that the interrupt has certainly
 * landed, and then clears it: no interrupt outlives the attempt. Thread-safe.
 */
public final class Watch {

    /** Earliest deadline first; ties broken by arming order, so that distinct watches never compare equal. */
    static final Comparator<Watch> BY_DEADLINE = (a, b) -> {
        int byTime = Long.compare(a.deadlineNanos - b.deadlineNanos, 0);
        return byTime != 0 ? byTime : Long.compare(a.sequence, b.sequence);
    };

    private static final int RUNNING = 0;
    private static final int TIMING_OUT = 1;
    private static final int INTERRUPTED = 2;
    private static final int ENDED = 3;
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private static final Runnable SPIN = () -> {
        Thread.onSpinWait();
        Thread.yield();
    };

    private final Thread thread;
    private final Runnable whileDelivering;
    private final long sequence = SEQUENCE.getAndIncrement();
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    /**
     * When the watchdog should act, on {@link System#nanoTime()}. Written only by whoever arms the
     * watch while it is in no watchdog's queue (its position there depends on it).
     */
    volatile long deadlineNanos;

    /** Watches {@code thread}, the request thread that runs the attempt and will call {@link #end()}. */
    Watch(Thread thread) {
        this(thread, SPIN);
    }

    /** @param whileDelivering runs in {@link #end()} while the watchdog delivers its interrupt (tests observe it) */
    Watch(Thread thread, Runnable whileDelivering) {
        this.thread = thread;
        this.whileDelivering = whileDelivering;
    }

    /**
     * The watchdog's side: interrupts the thread unless the attempt has ended; true when it did (the
     * watchdog may then fire again later, for a call that swallowed the interrupt).
     */
    boolean fire() {
        if (!claim()) {
            return false;
        }
        deliver();
        return true;
    }

    /** The first half of {@link #fire()}: decides to interrupt; false when the attempt has ended. */
    boolean claim() {
        int s = state.get();
        return (s == RUNNING || s == INTERRUPTED) && state.compareAndSet(s, TIMING_OUT);
    }

    /** The second half of {@link #fire()}, only after a successful {@link #claim()}. */
    void deliver() {
        thread.interrupt();
        state.set(INTERRUPTED);
    }

    /**
     * The request thread's side, once the call has returned or thrown: ends the watch. True when the
     * limit passed first; the thread's interrupt flag is then clear (the watchdog's interrupt is
     * spent). False when the call ended in time; the flag is then untouched, so an interrupt from
     * anyone else (the server stopping) stays visible.
     */
    public boolean end() {
        if (state.compareAndSet(RUNNING, ENDED)) {
            return false;
        }
        while (!state.compareAndSet(INTERRUPTED, ENDED)) {
            // TIMING_OUT: the watchdog decided and is delivering the interrupt right now.
            whileDelivering.run();
        }
        Thread.interrupted();
        return true;
    }
}
