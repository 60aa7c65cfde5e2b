package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/**
 * Runs one streaming attempt on the request's own thread, as {@link InlineAttempt} does for calls
 * answered with one value, and stands between it and the client as {@link FirstByteGuard} does for
 * the {@link AttemptSupervisor}: the same limits (first chunk, idle gap, total), the same outcomes
 * and messages, without the thread start and the two hand-offs of a supervised attempt on every
 * stream. One {@link Watch} with a moving deadline carries all three limits: before the first chunk
 * it is the earlier of the first-chunk and the total limit, after each chunk the earlier of the idle
 * and the total limit. When it passes, the watchdog interrupts the thread (which ends its blocking
 * read of the provider's socket), never while it writes to the client. Only for virtual threads. Use
 * once, from the request thread.
 */
final class InlineStream implements ChunkSink {

    /** Thrown into the attempt when it would write a chunk after its limit passed. */
    static final class Cut extends IOException {
        Cut() {
            super("the attempt's time limit passed", null);
        }
    }

    private final ChunkSink downstream;
    private final Runnable beforeFirstChunk;
    private final AttemptSupervisor.Limits limits;
    private long totalAt;
    private long firstChunkAt;
    private long idleNanos;
    private Watch watch;
    /** {@link System#nanoTime()} of the first and of the latest chunk, 0 before it; the watchdog reads the latter. */
    private volatile long firstByteNanos;
    private volatile long lastChunkNanos;
    private boolean clientGone;

    InlineStream(ChunkSink downstream, Runnable beforeFirstChunk, AttemptSupervisor.Limits limits) {
        this.downstream = downstream;
        this.beforeFirstChunk = beforeFirstChunk;
        this.limits = limits;
    }

    /**
     * Runs {@code work}, which writes its chunks to this sink, on this thread; {@code onEnd} runs
     * once it has ended, before the result is returned. The thread carries no interrupt of the
     * watchdog's afterwards.
     */
    <T> AttemptSupervisor.Result<T> run(Callable<T> work, Failures.Target target, String requestId, Runnable onEnd,
                                        Watchdog watchdog) {
        long start = System.nanoTime();
        long total = limits.total().toNanos();
        totalAt = start + total;
        boolean firstByteLimit = limits.firstByte().compareTo(limits.total()) < 0;
        firstChunkAt = start + (firstByteLimit ? limits.firstByte().toNanos() : total);
        idleNanos = limits.idle().isPositive() ? limits.idle().toNanos() : 0;
        watch = watchdog.arm(Thread.currentThread(), nextLook(start), this::nextLook);
        InlineAttempt.Watched<T> ran = InlineAttempt.underWatch(work, watch, watchdog, onEnd);
        Progress progress = clientGone ? Progress.CLIENT_GONE
                : firstByteNanos != 0 ? Progress.STREAM_STARTED : Progress.NOTHING_SENT;
        return ran.result(target, requestId, this::timeoutReason, progress);
    }

    @Override
    public void chunk(byte[] json) throws IOException {
        if (!watch.shield()) {
            throw new Cut();
        }
        try {
            long now = System.nanoTime();
            if (firstByteNanos == 0) {
                firstByteNanos = now;
                beforeFirstChunk.run();
            }
            lastChunkNanos = now;
            downstream.chunk(json);
        } catch (IOException | UncheckedIOException e) {
            clientGone = true;
            throw e;
        } finally {
            watch.unshield();
        }
    }

    /** {@link System#nanoTime()} of the first chunk written to the client, 0 when none was. */
    long firstByteNanos() {
        return firstByteNanos;
    }

    /** Where the limit stands: the first-chunk limit before the first chunk, then the idle or the total one. */
    private long limitAt() {
        long last = lastChunkNanos;
        if (last == 0) {
            return firstChunkAt;
        }
        return idleNanos > 0 && last + idleNanos - totalAt < 0 ? last + idleNanos : totalAt;
    }

    /**
     * The watch's moving deadline (asked on the watchdog's thread): the earliest the limit can pass,
     * given the time {@code now}. Before the first chunk a chunk could come at once and start the
     * idle clock, so that is at most one idle period away; after it, the limit only moves later.
     */
    private long nextLook(long now) {
        long at = limitAt();
        if (lastChunkNanos == 0 && idleNanos > 0 && now + idleNanos - at < 0) {
            return now + idleNanos;
        }
        return at;
    }

    /** Which limit passed, in the supervisor's words. */
    private String timeoutReason() {
        long last = lastChunkNanos;
        if (last == 0) {
            return firstChunkAt - totalAt < 0 ? "no first token within " + limits.firstByteWhy()
                    : "no answer within " + limits.totalWhy();
        }
        return limitAt() != totalAt ? "the stream went idle: no chunk within " + limits.idleWhy()
                + " after the previous one" : "the stream did not finish within " + limits.totalWhy();
    }
}
