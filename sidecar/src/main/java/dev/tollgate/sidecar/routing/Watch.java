package dev.tollgate.sidecar.routing;

import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * The time limit of one attempt that runs on the request's own thread: a {@link Watchdog} may
 * interrupt that thread while the attempt runs, and never after. The request thread and the
 * watchdog race on one atomic state:
 * <pre>
 *   RUNNING ──end()──▶ ENDED                                  (the call ended in time)
 *   RUNNING ──claim()──▶ TIMING_OUT ──deliver()──▶ INTERRUPTED ──end()──▶ ENDED (timed out)
 *                            ▲                          │
 *                            └──────── claim() ─────────┘   (a call that swallowed the interrupt is interrupted again)
 *   RUNNING ──shield()──▶ SHIELDED ──unshield()──▶ RUNNING    (a write to the client, which no interrupt may cut)
 * </pre>
 * Only the watchdog leaves RUNNING for TIMING_OUT, so once the request thread has moved to ENDED no
 * interrupt can come. When it finds the attempt timed out, it waits out TIMING_OUT (the watchdog is
 * between its decision and the interrupt, a few instructions) so that the interrupt has certainly
 * landed, and then clears it: no interrupt outlives the attempt.
 *
 * <p>A stream's limit moves: the first chunk must come within one limit, each later one within the
 * idle limit of the one before. Such a watch is armed at the earliest its limit can pass, and when
 * that comes the watchdog asks it ({@code moving}) for the earliest it can pass now; if that is
 * later, the watchdog looks again then, so a chunk costs one volatile store and no re-arming.
 * While the thread writes a chunk to its client it is SHIELDED: an interrupt then would close the
 * client's socket instead of the provider's, so the watchdog looks again shortly after and cuts
 * the attempt once the write is done (a client that stops reading holds the cut up, as it holds
 * the write). Thread-safe.
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
    private static final int SHIELDED = 4;
    /** How soon the watchdog looks again at a watch whose thread was writing to its client. */
    static final long SHIELD_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    static final Runnable SPIN = () -> {
        Thread.onSpinWait();
        Thread.yield();
    };

    private final Thread thread;
    /**
     * For a limit that moves: given the time now, the earliest the limit can pass as things stand
     * (null: {@link #deadlineNanos} is final).
     */
    private final LongUnaryOperator moving;
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
        this(thread, null, SPIN);
    }

    /**
     * @param moving          for a limit that moves: the earliest it can pass, given the time now (null: fixed)
     * @param whileDelivering runs in {@link #end()} while the watchdog delivers its interrupt (tests observe it)
     */
    Watch(Thread thread, LongUnaryOperator moving, Runnable whileDelivering) {
        this.thread = thread;
        this.moving = moving;
        this.whileDelivering = whileDelivering;
    }

    /**
     * The watchdog's side when the deadline it queued this watch for has come ({@code now}): either
     * the attempt has ended (false: forget the watch), or {@link #deadlineNanos} is set to when to
     * look again (true). That is the moved deadline if it moved later; shortly, if the thread is
     * writing to its client; otherwise the thread is interrupted, and looked at again after
     * {@code repeatNanos} in case the call swallowed the interrupt. The watch must be out of the
     * watchdog's queue while this runs.
     */
    boolean due(long now, long repeatNanos) {
        if (moving != null) {
            long moved = moving.applyAsLong(now);
            if (moved - now > 0) {
                deadlineNanos = moved;
                return state.get() != ENDED;
            }
        }
        if (fire()) {
            deadlineNanos = now + repeatNanos;
            return true;
        }
        if (state.get() == ENDED) {
            return false;
        }
        // SHIELDED just now (or back to RUNNING since): the thread is between two writes to its client.
        deadlineNanos = now + SHIELD_RECHECK_NANOS;
        return true;
    }

    /**
     * The request thread's side before it writes to its client: from now until {@link #unshield()}
     * no interrupt comes. False when the watchdog is already cutting the attempt (the thread must
     * not write then; the interrupt has come or is coming).
     */
    public boolean shield() {
        return state.compareAndSet(RUNNING, SHIELDED);
    }

    /** The request thread's side after a write that {@link #shield()} allowed. */
    public void unshield() {
        state.compareAndSet(SHIELDED, RUNNING);
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
