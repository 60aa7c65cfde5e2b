package dev.tollgate.bench.process;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Every process a run started, stopped in reverse order at the end of the run or on Ctrl-C
 * (a shutdown hook), each by its own PID. Thread-safe.
 */
public final class Processes implements AutoCloseable {

    private final Deque<ManagedProcess> started = new ArrayDeque<>();
    private final Thread hook = new Thread(this::stopAll, "bench-stop-processes");

    public Processes() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public synchronized ManagedProcess add(ManagedProcess p) {
        started.push(p);
        return p;
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
                return;
            }
            p.stop(10);
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
