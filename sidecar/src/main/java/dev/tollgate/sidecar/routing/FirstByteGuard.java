package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stands between a streaming attempt (on its own thread) and the client. It knows whether the
 * first byte went out, which is the line after which a stream can no longer be retried, and lets
 * the request thread abandon the attempt: after that the attempt can never write again, so the
 * request thread may retry, or write the error event itself. Thread-safe.
 */
final class FirstByteGuard implements ChunkSink {

    /** Thrown into an abandoned attempt that tries to write; nobody reads its result. */
    static final class Abandoned extends IOException {
        Abandoned() {
            super("attempt abandoned by the router", null);
        }
    }

    private final ChunkSink downstream;
    private final Runnable beforeFirstChunk;
    private final CountDownLatch startedOrDone = new CountDownLatch(1);
    // The lock is held while a chunk is written to the client, so that abandon() returns only once no
    // write is in progress: the request thread never writes to the client at the same time as the attempt.
    // A client that stops reading can therefore hold abandon() up; that delay is the client's own.
    private final ReentrantLock lock = new ReentrantLock();
    private boolean started;
    private boolean abandoned;
    private boolean clientGone;
    private long firstByteNanos;
    private long lastChunkNanos;

    FirstByteGuard(ChunkSink downstream, Runnable beforeFirstChunk) {
        this.downstream = downstream;
        this.beforeFirstChunk = beforeFirstChunk;
    }

    @Override
    public void chunk(byte[] json) throws IOException {
        lock.lock();
        try {
            if (abandoned) {
                throw new Abandoned();
            }
            if (!started) {
                started = true;
                firstByteNanos = System.nanoTime();
                beforeFirstChunk.run();
                startedOrDone.countDown();
            }
            lastChunkNanos = System.nanoTime();
            try {
                downstream.chunk(json);
            } catch (IOException | UncheckedIOException e) {
                clientGone = true;
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The attempt ended (either way). */
    void done() {
        startedOrDone.countDown();
    }

    /** Waits until the first chunk went out or the attempt ended; false when {@code limit} passed first. */
    boolean awaitStartOrDone(Duration limit) throws InterruptedException {
        return startedOrDone.await(limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Abandons the attempt unless its first chunk already went out; true when it was abandoned. */
    boolean abandonUnlessStarted() {
        lock.lock();
        try {
            if (!started) {
                abandoned = true;
            }
            return abandoned;
        } finally {
            lock.unlock();
        }
    }

    /** Abandons the attempt whatever it did; true when its first chunk had gone out. */
    boolean abandon() {
        lock.lock();
        try {
            abandoned = true;
            return started;
        } finally {
            lock.unlock();
        }
    }

    boolean started() {
        lock.lock();
        try {
            return started;
        } finally {
            lock.unlock();
        }
    }

    boolean clientGone() {
        lock.lock();
        try {
            return clientGone;
        } finally {
            lock.unlock();
        }
    }

    /** {@link System#nanoTime()} of the latest chunk, 0 before the first: the idle timeout counts from it. */
    long lastChunkNanos() {
        lock.lock();
        try {
            return lastChunkNanos;
        } finally {
            lock.unlock();
        }
    }

    /** {@link System#nanoTime()} of the first chunk, 0 before it. */
    long firstByteNanos() {
        lock.lock();
        try {
            return firstByteNanos;
        } finally {
            lock.unlock();
        }
    }
}
