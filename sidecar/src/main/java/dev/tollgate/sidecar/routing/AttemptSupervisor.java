package dev.tollgate.sidecar.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.provider.UpstreamDebug;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one provider call on its own virtual thread while the request thread waits with a limit, so
 * that no adapter (whatever it blocks on) can keep a request past its timeouts: on time-out the
 * request thread abandons the call (interrupting it, which cancels the JDK HTTP client's exchange)
 * and goes on. For streams, a {@link FirstByteGuard} bounds the time to the first chunk and the
 * idle time between chunks as well. Requests the server handles run on virtual threads, whose
 * attempts run inline instead ({@link InlineAttempt}, {@link InlineStream}); this is for callers on
 * platform threads, whose blocking socket reads an interrupt cannot end. Stateless.
 */
final class AttemptSupervisor {

    private static final System.Logger LOG = System.getLogger(AttemptSupervisor.class.getName());

    private AttemptSupervisor() {
    }

    /** How one attempt ended. */
    sealed interface Result<T> {
        record Done<T>(T value) implements Result<T> {
        }

        record Failed<T>(GatewayError error, Progress progress) implements Result<T> {
        }
    }

    /**
     * The limits of one attempt, with how each reads in a timeout message.
     *
     * @param firstByte the time to the first streamed chunk (only for streams; {@code total} or more means none)
     * @param idle      the longest gap between streamed chunks after the first (only for streams; zero means none)
     */
    record Limits(Duration total, String totalWhy, Duration firstByte, String firstByteWhy, Duration idle,
                  String idleWhy) {
    }

    /**
     * Runs {@code work}; {@code onEnd} runs on the attempt's thread when the call has really ended
     * (before its result is handed over), even if the request thread stopped waiting long before.
     */
    static <T> Result<T> run(Callable<T> work, FirstByteGuard guard, Limits limits, Failures.Target target,
                             String requestId, Runnable onEnd) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Callable<T> call = UpstreamDebug.carriedInto(work);
        long start = System.nanoTime();
        Thread worker = Thread.ofVirtual().name("tollgate-attempt-" + requestId).start(() -> {
            T value = null;
            Throwable failure = null;
            try {
                value = call.call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                onEnd.run();
                if (guard != null) {
                    guard.done();
                }
            }
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(failure);
            }
        });
        try {
            if (guard != null && limits.firstByte().compareTo(limits.total()) < 0
                    && !guard.awaitStartOrDone(limits.firstByte()) && guard.abandonUnlessStarted()) {
                worker.interrupt();
                return new Result.Failed<>(timeout(target, "no first token within " + limits.firstByteWhy()),
                        Progress.NOTHING_SENT);
            }
            boolean watchIdle = guard != null && limits.idle().isPositive();
            while (true) {
                long now = System.nanoTime();
                long wait = Math.max(0, limits.total().toNanos() - (now - start));
                if (watchIdle) {
                    long last = guard.lastChunkNanos();
                    // Before the first chunk the idle limit does not apply yet: look again after one idle period.
                    long idleLeft = last == 0 ? limits.idle().toNanos() : last + limits.idle().toNanos() - now;
                    if (last != 0 && idleLeft <= 0) {
                        boolean started = guard.abandon();
                        worker.interrupt();
                        return new Result.Failed<>(timeout(target, "the stream went idle: no chunk within "
                                + limits.idleWhy() + " after the previous one"), progress(guard, started));
                    }
                    if (idleLeft < wait) {
                        try {
                            return new Result.Done<>(result.get(idleLeft, TimeUnit.NANOSECONDS));
                        } catch (TimeoutException idleCheck) {
                            continue;
                        }
                    }
                }
                return new Result.Done<>(result.get(wait, TimeUnit.NANOSECONDS));
            }
        } catch (TimeoutException e) {
            boolean started = guard != null && guard.abandon();
            worker.interrupt();
            String what = started ? "the stream did not finish within " : "no answer within ";
            return new Result.Failed<>(timeout(target, what + limits.totalWhy()), progress(guard, started));
        } catch (ExecutionException e) {
            return new Result.Failed<>(error(e.getCause(), target, requestId),
                    progress(guard, guard != null && guard.started()));
        } catch (InterruptedException e) {
            // The server is stopping: leave the call behind and say so.
            boolean started = guard != null && guard.abandon();
            worker.interrupt();
            Thread.currentThread().interrupt();
            return new Result.Failed<>(Failures.internal(requestId), progress(guard, started));
        }
    }

    private static Progress progress(FirstByteGuard guard, boolean started) {
        if (guard != null && guard.clientGone()) {
            return Progress.CLIENT_GONE;
        }
        return started ? Progress.STREAM_STARTED : Progress.NOTHING_SENT;
    }

    static GatewayError timeout(Failures.Target target, String what) {
        return new GatewayError(504, "timeout_error", "provider_timeout", target.describe() + ": " + what
                + ". Check the provider's health, or raise the timeout if its answers are simply long.");
    }

    /** The error a call's exception stands for: the provider's own, a broken chunk or connection, or a bug. */
    static GatewayError error(Throwable cause, Failures.Target target, String requestId) {
        if (cause instanceof GatewayException g) {
            return g.error();
        }
        if (cause instanceof UncheckedIOException u) {
            cause = u.getCause();
        }
        // CharConversionException: Jackson guessed UTF-16/32 from the chunk's first bytes and found no valid
        // character; the chunk is as broken as any malformed JSON, and the connection is fine.
        if (cause instanceof JsonProcessingException || cause instanceof java.io.CharConversionException) {
            return new GatewayError(502, "api_error", "provider_bad_response", target.describe()
                    + ": the provider sent a chunk that is not JSON.");
        }
        if (cause instanceof IOException io) {
            return new GatewayError(502, "api_connection_error", "provider_connection_error", target.describe()
                    + ": the connection to the provider broke: " + io.getClass().getSimpleName()
                    + (io.getMessage() == null ? "" : " (" + io.getMessage() + ")"));
        }
        LOG.log(System.Logger.Level.ERROR, "request " + requestId + ": provider call failed unexpectedly", cause);
        return Failures.internal(requestId);
    }
}
