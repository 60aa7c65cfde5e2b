package dev.tollgate.sidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Provider calls run inline on the request thread: the watchdog cuts them at their limit with the
 * supervisor's 504, and no interrupt of the watchdog's outlives the attempt, however the interrupt and
 * the end of the call interleave. Each request thread here is a virtual thread, as in the server; the
 * interleavings are driven by latches and a watchdog the test fires by hand.
 */
class InlineAttemptTest {

    private static final Failures.Target TARGET = new Failures.Target("chat", "chat#a", "openai");
    private static final AttemptSupervisor.Limits LIMITS = new AttemptSupervisor.Limits(Duration.ofMillis(300),
            "the deployment's timeout of 0.3 s", Duration.ofMillis(300), "the deployment's timeout of 0.3 s",
            Duration.ZERO, "");
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** One attempt on a virtual request thread, then what that thread saw afterwards. */
    private static final class RequestThread {
        final CountDownLatch inCall = new CountDownLatch(1);
        final CountDownLatch afterwards = new CountDownLatch(1);
        final AtomicBoolean onEndRan = new AtomicBoolean();
        final AtomicBoolean leaked = new AtomicBoolean();
        volatile AttemptSupervisor.Result<String> result;
        volatile boolean interruptedAtEnd;
        final Thread thread;

        /**
         * Runs {@code work} as an attempt, then blocks (interruptibly) until the test lets it go: an
         * interrupt landing after the attempt, when the thread would serve its next request, ends that
         * wait early and counts as leaked.
         */
        RequestThread(Watchdog watchdog, Callable<String> work) {
            thread = Thread.ofVirtual().start(() -> {
                result = InlineAttempt.run(() -> {
                    inCall.countDown();
                    return work.call();
                }, LIMITS, TARGET, "req-1", () -> onEndRan.set(true), watchdog);
                try {
                    if (!afterwards.await(WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                        throw new AssertionError("the test never let the request thread go");
                    }
                } catch (InterruptedException e) {
                    leaked.set(true);
                }
                interruptedAtEnd = Thread.currentThread().isInterrupted();
            });
        }

        void finish() throws InterruptedException {
            afterwards.countDown();
            assertTrue(thread.join(WAIT), "the request thread ended");
            assertTrue(onEndRan.get(), "onEnd ran");
        }
    }

    private static void awaitLatch(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(WAIT.toNanos(), TimeUnit.NANOSECONDS), "latch released in time");
    }

    private static GatewayError failed(AttemptSupervisor.Result<String> result) {
        return assertInstanceOf(AttemptSupervisor.Result.Failed.class, result).error();
    }

    private static void assertTimeout(AttemptSupervisor.Result<String> result) {
        GatewayError e = failed(result);
        assertEquals(504, e.status());
        assertEquals("provider_timeout", e.code());
        assertEquals("Deployment 'chat#a' (provider openai) behind alias 'chat': no answer within the deployment's "
                + "timeout of 0.3 s. Check the provider's health, or raise the timeout if its answers are simply long.",
                e.message());
    }

    @Test
    void aCallEndedInTimeIsAnsweredAndALateFireInterruptsNothing() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        RequestThread r = new RequestThread(watchdog, () -> "answer");
        Watch watch = watchdog.next();
        // Let the attempt end, then fire: the watchdog is late and must do nothing.
        RoutedSidecar.await(() -> r.result != null, "the attempt's end");
        assertFalse(watch.fire(), "a watch ended in time does not fire");
        r.finish();
        assertEquals("answer", assertInstanceOf(AttemptSupervisor.Result.Done.class, r.result).value());
        assertFalse(r.leaked.get() || r.interruptedAtEnd, "no interrupt after the attempt");
        assertTrue(watchdog.disarmed.contains(watch), "the watch was disarmed");
    }

    @Test
    void aCallBlockedInterruptiblyIsCutWhenTheWatchdogFiresWithTheSupervisorsMessage() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        RequestThread r = new RequestThread(watchdog, () -> {
            new CountDownLatch(1).await();
            return "never";
        });
        Watch watch = watchdog.next();
        awaitLatch(r.inCall);
        assertTrue(watch.fire());
        r.finish();
        assertTimeout(r.result);
        assertFalse(r.leaked.get() || r.interruptedAtEnd, "the watchdog's interrupt was cleared");
    }

    @Test
    void aWatchdogFiringExactlyAsTheCallEndsLeavesNoInterrupt() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        CountDownLatch returnNow = new CountDownLatch(1);
        RequestThread r = new RequestThread(watchdog, () -> {
            returnNow.await();
            return "just in time";
        });
        Watch watch = watchdog.next();
        awaitLatch(r.inCall);
        // The watchdog decides to interrupt at the very moment the call returns, and is slow to deliver:
        // the request thread must wait for the interrupt and clear it, not return and get it later.
        assertTrue(watch.claim());
        returnNow.countDown();
        awaitLatch(watchdog.waitingForDelivery);
        watch.deliver();
        r.finish();
        assertTimeout(r.result);
        assertFalse(r.leaked.get(), "the interrupt landed after the attempt ended");
        assertFalse(r.interruptedAtEnd, "the request thread still carries the interrupt");
    }

    @Test
    void anInterruptFromTheServerStoppingIsReportedAsBeforeAndKept() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        RequestThread r = new RequestThread(watchdog, () -> {
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                // What every adapter does: restore the flag and fail.
                Thread.currentThread().interrupt();
                throw new java.io.IOException("interrupted", e);
            }
        });
        Watch watch = watchdog.next();
        awaitLatch(r.inCall);
        r.thread.interrupt();
        r.finish();
        GatewayError e = failed(r.result);
        assertEquals(500, e.status());
        assertEquals("internal_error", e.code());
        assertTrue(r.leaked.get(), "the drain's interrupt is kept for the gate, which reports shutting_down");
        assertFalse(watch.fire(), "the attempt ended; the watchdog may no longer interrupt");
    }

    @Test
    void aCallThatSwallowsTheInterruptIsInterruptedAgainUntilItEnds() throws Exception {
        WatchdogThread watchdog = WatchdogThread.start("test-watchdog", Duration.ofMillis(20));
        AtomicInteger swallowed = new AtomicInteger();
        RequestThread r = new RequestThread(watchdog, () -> {
            while (true) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    if (swallowed.incrementAndGet() == 3) {
                        throw e;
                    }
                }
            }
        });
        awaitLatch(r.inCall);
        r.finish();
        assertTimeout(r.result);
        assertEquals(3, swallowed.get());
        assertFalse(r.leaked.get() || r.interruptedAtEnd, "no interrupt after the attempt");
    }
}
