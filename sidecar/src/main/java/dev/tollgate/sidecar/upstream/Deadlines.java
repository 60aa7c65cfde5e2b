package dev.tollgate.sidecar.upstream;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Closes the connection of a provider call that ran past its timeout. A socket timeout would do
 * the same, but on a virtual thread every read with a timeout is a timed park, which schedules
 * and cancels a timer task and wakes the JDK's delay-scheduler thread each time: in the
 * benchmark's profile that was several percent of the sidecar's CPU for calls that almost never
 * time out. Here a call costs one set insertion and removal; one daemon thread looks at the
 * watched calls every {@link #TICK} (every ten ticks while none is watched), so a timeout fires up to
 * one tick late, or ten when it was the first call after a quiet spell. Thread-safe.
 */
final class Deadlines {

    static final Duration TICK = Duration.ofMillis(10);
    private static final int IDLE_TICKS = 10;

    /** The one watcher of the process (its thread starts with the first watched call). */
    static final Deadlines SHARED = new Deadlines(TICK);

    private final long tickNanos;
    private final Set<Watch> watched = ConcurrentHashMap.newKeySet();
    private final AtomicInteger started = new AtomicInteger();

    Deadlines(Duration tick) {
        this.tickNanos = tick.toNanos();
    }

    /** A call watched until {@link Watch#finish()}; its connection is closed at {@code deadlineNanos}. */
    Watch watch(Connection c, long deadlineNanos) {
        Watch w = new Watch(c, deadlineNanos);
        if (deadlineNanos != Long.MAX_VALUE) {
            watched.add(w);
            if (started.get() == 0 && started.compareAndSet(0, 1)) {
                Thread.ofPlatform().daemon().name("tollgate-upstream-deadlines").start(this::run);
            }
        }
        return w;
    }

    /** How many calls are watched now. */
    int watching() {
        return watched.size();
    }

    private void run() {
        while (true) {
            // Idle, it looks ten times less often (a call watched meanwhile may fire up to that late).
            LockSupport.parkNanos(watched.isEmpty() ? IDLE_TICKS * tickNanos : tickNanos);
            long now = System.nanoTime();
            for (Watch w : watched) {
                if (now - w.deadlineNanos >= 0) {
                    w.fire();
                }
            }
        }
    }

    /** One watched call: ends either finished by its caller or fired by the watcher, never both. */
    final class Watch {
        private static final int WATCHING = 0;
        private static final int FINISHED = 1;
        private static final int FIRED = 2;

        private final Connection connection;
        private final long deadlineNanos;
        private final AtomicInteger state = new AtomicInteger(WATCHING);

        private Watch(Connection connection, long deadlineNanos) {
            this.connection = connection;
            this.deadlineNanos = deadlineNanos;
        }

        /**
         * Stops watching. Returns false when the deadline already fired: the connection is closed
         * (or being closed) and must not be reused. Idempotent.
         */
        boolean finish() {
            if (state.compareAndSet(WATCHING, FINISHED)) {
                watched.remove(this);
                return true;
            }
            return state.get() == FINISHED;
        }

        /** Whether the deadline passed and the connection was closed for it. */
        boolean fired() {
            return state.get() == FIRED;
        }

        private void fire() {
            if (state.compareAndSet(WATCHING, FIRED)) {
                watched.remove(this);
                connection.close();
            }
        }
    }
}
