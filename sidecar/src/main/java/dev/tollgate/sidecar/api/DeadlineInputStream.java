package dev.tollgate.sidecar.api;

import dev.tollgate.sidecar.routing.Watch;
import dev.tollgate.sidecar.routing.Watchdog;
import dev.tollgate.sidecar.routing.WatchdogThread;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body stream with a deadline for the whole body. A client that trickles bytes is
 * refused after the read that crosses the deadline ({@link Expired}: the caller answers 408). A
 * client that goes silent would block the read forever (Helidon 4.2 and 4.3 set no read timeout on server
 * sockets), so a watchdog interrupts the reading virtual thread one grace period after the
 * deadline: the JDK then closes the socket under the blocked read, which frees the connection.
 * Use from one thread, and {@link #close()} it when done (that disarms the watchdog).
 */
final class DeadlineInputStream extends FilterInputStream {

    /** Thrown when the deadline has passed. */
    static final class Expired extends IOException {
        Expired() {
            super("request body deadline passed", null);
        }
    }

    /**
     * The router's watchdog: arming and disarming cost no lock and no wake-up of its thread (a
     * scheduled executor kept every cancelled task queued until its time, a minute of requests).
     */
    private static final Watchdog WATCHDOG = WatchdogThread.shared();

    private final long deadlineNanos;
    private final Watch watch;
    private boolean closed;

    DeadlineInputStream(InputStream in, long deadlineNanos, long graceNanos) {
        super(in);
        this.deadlineNanos = deadlineNanos;
        this.watch = WATCHDOG.arm(Thread.currentThread(), deadlineNanos + graceNanos);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        check();
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        check();
        return n;
    }

    private void check() throws IOException {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new Expired();
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            // When the watchdog fired (even as the read ended), end() waits for its interrupt and
            // drops it, so that it cannot break the provider call this thread makes next.
            watch.end();
            WATCHDOG.disarm(watch);
        }
        super.close();
    }
}
