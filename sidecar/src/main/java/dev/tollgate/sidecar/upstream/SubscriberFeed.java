package dev.tollgate.sidecar.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Feeds a body to any {@link HttpResponse.BodySubscriber}, honouring its demand (the general path;
 * the JDK's InputStream subscriber is bypassed by the client). A subscriber whose body is ready
 * before the data (a stream) is fed from a virtual thread of its own; one whose body needs all the
 * data (bytes, strings) is fed on the calling thread. Thread-safe.
 */
final class SubscriberFeed implements Flow.Subscription {

    private static final int CHUNK = 16 * 1024;

    private final InputStream body;
    /** The body's length when the response declared it, else -1. */
    private final long length;
    private final HttpResponse.BodySubscriber<?> subscriber;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition demanded = lock.newCondition();
    private long demand;
    private boolean cancelled;

    private SubscriberFeed(InputStream body, long length, HttpResponse.BodySubscriber<?> subscriber) {
        this.body = body;
        this.length = length;
        this.subscriber = subscriber;
    }

    /** The subscriber's body once fed; I/O failures while feeding reach the subscriber's {@code onError}. */
    /** @param length the body's declared length, or -1 */
    static <T> T feed(InputStream body, long length, HttpResponse.BodySubscriber<T> subscriber, String threadName)
            throws IOException, InterruptedException {
        SubscriberFeed feed = new SubscriberFeed(body, length, subscriber);
        subscriber.onSubscribe(feed);
        CompletableFuture<T> result = subscriber.getBody().toCompletableFuture();
        if (result.isDone()) {
            Thread.ofVirtual().name(threadName).start(feed::pump);
        } else {
            feed.pump();
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("reading the response body failed: " + cause, cause);
        }
    }

    private void pump() {
        try {
            // A body of known small length is read into an array of its size, handed over without a copy.
            boolean sized = length >= 0 && length < CHUNK;
            byte[] chunk = new byte[sized ? (int) Math.max(1, length) : CHUNK];
            while (true) {
                if (!awaitDemand()) {
                    body.close();
                    return;
                }
                int n = body.read(chunk, 0, chunk.length);
                if (n < 0) {
                    subscriber.onComplete();
                    return;
                }
                if (sized && n == chunk.length) {
                    // The whole body: the subscriber may keep this array; only the end of the body follows.
                    subscriber.onNext(List.of(ByteBuffer.wrap(chunk)));
                    chunk = new byte[1];
                    continue;
                }
                // The subscriber may keep the buffer: hand it a copy, and read on into our own array.
                subscriber.onNext(List.of(ByteBuffer.wrap(java.util.Arrays.copyOf(chunk, n))));
            }
        } catch (IOException | RuntimeException e) {
            try {
                body.close();
            } catch (IOException ignored) {
                // already failing
            }
            subscriber.onError(e);
        } catch (InterruptedException e) {
            try {
                body.close();
            } catch (IOException ignored) {
                // already failing
            }
            subscriber.onError(new IOException("interrupted while reading the response body", e));
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitDemand() throws InterruptedException {
        lock.lock();
        try {
            while (demand == 0 && !cancelled) {
                demanded.await();
            }
            if (cancelled) {
                return false;
            }
            demand--;
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void request(long n) {
        lock.lock();
        try {
            if (n <= 0) {
                cancelled = true;
            } else {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            demanded.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cancel() {
        lock.lock();
        try {
            cancelled = true;
            demanded.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
