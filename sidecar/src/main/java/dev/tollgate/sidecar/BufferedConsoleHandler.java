package dev.tollgate.sidecar;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Writes log lines to standard error like the JDK's {@code ConsoleHandler}, but gathers INFO and
 * lower lines in a buffer that goes out when it fills or every {@link #FLUSH_EVERY}, instead of
 * one {@code write(2)} per line: the request log line was a tenth of a request's CPU in the
 * benchmark's profile. WARNING and SEVERE lines go out at once (with everything before them, in
 * order), and so does the buffer when the handler is flushed or closed (the shutdown sequence
 * ends with that). A process killed with SIGKILL loses at most the last {@code FLUSH_EVERY} of
 * INFO lines; usage records do not depend on the log (they are spooled). Thread-safe.
 */
final class BufferedConsoleHandler extends Handler {

    static final Duration FLUSH_EVERY = Duration.ofMillis(100);
    private static final int FLUSH_BYTES = 32 * 1024;

    private final PrintStream out;
    private final Charset charset;
    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] buffer = new byte[FLUSH_BYTES];
    private int length;
    private volatile boolean closed;

    BufferedConsoleHandler() {
        this.out = System.err;
        this.charset = System.err.charset();
        Thread.ofPlatform().daemon().name("tollgate-log-flush").start(this::flushPeriodically);
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        byte[] line;
        try {
            line = getFormatter().format(record).getBytes(charset);
        } catch (RuntimeException e) {
            reportError(null, e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        boolean urgent = record.getLevel().intValue() >= Level.WARNING.intValue();
        lock.lock();
        try {
            if (length + line.length > buffer.length) {
                writeOut();
            }
            if (line.length > buffer.length) {
                out.write(line, 0, line.length);
            } else {
                System.arraycopy(line, 0, buffer, length, line.length);
                length += line.length;
            }
            if (urgent || closed) {
                writeOut();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            writeOut();
        } finally {
            lock.unlock();
        }
    }

    /** Writes what is buffered; later lines are written at once (a line logged after close is not lost). */
    @Override
    public void close() {
        closed = true;
        flush();
    }

    private void writeOut() {
        if (length > 0) {
            out.write(buffer, 0, length);
            length = 0;
        }
        out.flush();
    }

    private void flushPeriodically() {
        while (!closed) {
            LockSupport.parkNanos(FLUSH_EVERY.toNanos());
            flush();
        }
    }
}
