package dev.tollgate.bench.process;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Every process a run started, stopped in reverse order at the end of the run or on Ctrl-C
 * (a shutdown hook), each by its own PID; then the clean-up steps registered with
 * {@link #afterStop}. Thread-safe.
 */
public final class Processes implements AutoCloseable {

    private final Deque<ManagedProcess> started = new ArrayDeque<>();
    private final Deque<Runnable> cleanUps = new ArrayDeque<>();
    private final Thread hook = new Thread(this::stopAll, "bench-stop-processes");

    public Processes() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public synchronized ManagedProcess add(ManagedProcess p) {
        started.push(p);
        return p;
    }

    /** Runs {@code cleanUp} once every process is stopped (e.g. deletes their data folders). */
    public synchronized void afterStop(Runnable cleanUp) {
        cleanUps.push(cleanUp);
    }

    /** Stops one process now and forgets it. */
    public void stop(ManagedProcess p, int graceSeconds) {
        synchronized (this) {
            started.remove(p);
        }
        p.stop(graceSeconds);
    }

    private void stopAll() {
        while (true) {
            ManagedProcess p;
            synchronized (this) {
                p = started.poll();
            }
            if (p == null) {
                break;
            }
            p.stop(10);
        }
        while (true) {
            Runnable r;
            synchronized (this) {
                r = cleanUps.poll();
            }
            if (r == null) {
                return;
            }
            r.run();
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
    }
}
