package dev.tollgate.sidecar.shutdown;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requests a sidecar is serving, and whether it is draining: once {@link #begin() begun}, no new
 * request is let in, the ones inside may finish, and past the bound they are {@link #cutOff() cut}
 * (their threads interrupted, so a waiting provider call ends and the handler writes a
 * {@code shutting_down} error, recording its usage as every request does). Thread-safe.
 */
public final class Drain {

    private final Set<Thread> inside = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition left = lock.newCondition();
    private volatile boolean draining;
    private volatile boolean cut;

    /**
     * Lets the calling thread's request in, or not once draining. Every {@code true} must be paired
     * with {@link #leave()} on the same thread.
     */
    public boolean enter() {
        if (draining) {
            return false;
        }
        inside.add(Thread.currentThread());
        // begin() may have run between the check and the add; then awaitIdle() may not have seen
        // this request, so refuse it rather than let it run unaccounted.
        if (draining) {
            leave();
            return false;
        }
        return true;
    }

    public void leave() {
        inside.remove(Thread.currentThread());
        lock.lock();
        try {
            left.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops letting requests in; readiness answers 503 from now on. */
    public void begin() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** Whether the bound passed and the requests still inside were cut (their errors say shutting down). */
    public boolean cut() {
        return cut;
    }

    public int inFlight() {
        return inside.size();
    }

    /** Waits until no request is inside, at most {@code max}; true when none is. */
    public boolean awaitIdle(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        lock.lock();
        try {
            while (!inside.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                this.left.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Interrupts every request still inside; returns how many there were. */
    public int cutOff() {
        cut = true;
        int n = 0;
        for (Thread t : inside) {
            t.interrupt();
            n++;
        }
        return n;
    }
}
