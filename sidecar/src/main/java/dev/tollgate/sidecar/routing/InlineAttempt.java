package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.Failures;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Runs a provider call answered with one value on the request's own thread, under the attempt's
 * total limit: a shared {@link Watchdog} interrupts the thread when the limit passes, which ends
 * the blocking socket read of a virtual thread (the JDK closes the socket) and the relay's wait.
 * This saves the thread start and the cross-thread hand-off of {@link AttemptSupervisor} on every
 * request; the outcomes and messages are the same. Only for virtual threads: a platform thread's
 * socket read ignores interrupts. Stateless.
 */
final class InlineAttempt {

    private InlineAttempt() {
    }

    /**
     * Runs {@code work} on this thread; {@code onEnd} runs once it has ended, before the result is
     * returned. The thread carries no interrupt of the watchdog's afterwards.
     */
    static <T> AttemptSupervisor.Result<T> run(Callable<T> work, AttemptSupervisor.Limits limits,
                                               Failures.Target target, String requestId, Runnable onEnd,
                                               Watchdog watchdog) {
        Watch watch = watchdog.arm(Thread.currentThread(), System.nanoTime() + limits.total().toNanos());
        return underWatch(work, watch, watchdog, onEnd).result(target, requestId,
                () -> "no answer within " + limits.totalWhy(), Progress.NOTHING_SENT);
    }

    /** What a call run under a watch did: its value or failure, and whether the watchdog cut it. */
    record Watched<T>(T value, Throwable failure, boolean timedOut) {

        /** The attempt's result, with {@code progress} for a failure and {@code timeoutWhy} for a cut. */
        AttemptSupervisor.Result<T> result(Failures.Target target, String requestId, Supplier<String> timeoutWhy,
                                           Progress progress) {
            if (timedOut) {
                // Whatever the call did after the interrupt (threw, or swallowed it and answered), the limit passed.
                return new AttemptSupervisor.Result.Failed<>(AttemptSupervisor.timeout(target, timeoutWhy.get()),
                        progress);
            }
            if (Thread.currentThread().isInterrupted()) {
                // Not the watchdog's interrupt: the server is stopping (the drain bound passed). Keep the
                // interrupt and answer as the supervisor does; the gate turns it into shutting_down.
                return new AttemptSupervisor.Result.Failed<>(Failures.internal(requestId), progress);
            }
            if (failure != null) {
                return new AttemptSupervisor.Result.Failed<>(AttemptSupervisor.error(failure, target, requestId),
                        progress);
            }
            return new AttemptSupervisor.Result.Done<>(value);
        }
    }

    /**
     * Runs {@code work} on this thread under {@code watch}, which it then ends and disarms; {@code
     * onEnd} runs once the call has ended, before this returns. The thread carries no interrupt of
     * the watchdog's afterwards.
     */
    static <T> Watched<T> underWatch(Callable<T> work, Watch watch, Watchdog watchdog, Runnable onEnd) {
        T value = null;
        Throwable failure = null;
        boolean timedOut;
        try {
            value = work.call();
        } catch (Throwable t) {
            failure = t;
        } finally {
            timedOut = watch.end();
            watchdog.disarm(watch);
            onEnd.run();
        }
        return new Watched<>(value, failure, timedOut);
    }
}
