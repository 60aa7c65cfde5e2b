package dev.tollgate.sidecar.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body stream with a deadline for the whole body. A client that trickles bytes is
 * refused after the read that crosses the deadline ({@link Expired}: the caller answers 408). A
 * client that goes silent would block the read forever (Helidon 4.2 sets no read timeout on server
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

    /** Fires watchdogs; they only set an interrupt flag, so one daemon thread is plenty. */
    private static final ScheduledExecutorService WATCHDOGS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tollgate-body-deadline");
        t.setDaemon(true);
        return t;
    });

    private final long deadlineNanos;
    /** True while the body is being read; whoever flips it first (reader or watchdog) wins. */
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final ScheduledFuture<?> watchdog;

    DeadlineInputStream(InputStream in, long deadlineNanos, long graceNanos) {
        super(in);
        this.deadlineNanos = deadlineNanos;
        Thread reader = Thread.currentThread();
        this.watchdog = WATCHDOGS.schedule(() -> {
            if (reading.compareAndSet(true, false)) {
                reader.interrupt();
            }
        }, deadlineNanos + graceNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
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

    /** Whether the watchdog cut the read (the connection is gone; no answer can be sent). */
    boolean cut() {
        return !reading.get() && watchdog.isDone();
    }

    @Override
    public void close() throws IOException {
        watchdog.cancel(false);
        if (!reading.compareAndSet(true, false)) {
            // The watchdog fired as the read ended: drop its interrupt so that it cannot break the
            // provider call this thread makes next.
            Thread.interrupted();
        }
        super.close();
    }
}
