package dev.tollgate.sidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared watchdog thread: it wakes for a deadline earlier than the one it sleeps until, and forgets disarmed watches. */
class WatchdogThreadTest {

    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    /** A virtual thread that waits to be interrupted. */
    private static final class Sleeper {
        final CountDownLatch interrupted = new CountDownLatch(1);
        final Thread thread = Thread.ofVirtual().start(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });

        boolean awaitInterrupt() throws InterruptedException {
            return interrupted.await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anEarlierDeadlineWakesTheWatchdogSleepingUntilALaterOne() throws Exception {
        WatchdogThread watchdog = WatchdogThread.start("test-watchdog", Duration.ofHours(1));
        Sleeper late = new Sleeper();
        Sleeper soon = new Sleeper();
        Watch lateWatch = watchdog.arm(late.thread, System.nanoTime() + HOUR);
        Watch soonWatch = watchdog.arm(soon.thread, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
        assertTrue(soon.awaitInterrupt(), "the 20 ms deadline fired although the watchdog slept for an hour");
        assertEquals(1, late.interrupted.getCount(), "the one-hour deadline has not fired");
        assertFalse(lateWatch.end(), "the one-hour attempt ended in time");
        watchdog.disarm(lateWatch);
        late.thread.interrupt();
        assertTrue(late.thread.join(Duration.ofSeconds(10)));
        soonWatch.end();
        watchdog.disarm(soonWatch);
        assertEquals(0, watchdog.armedCount());
    }

    @Test
    void aWatchEndedAndDisarmedBeforeItsDeadlineNeverFires() throws Exception {
        WatchdogThread watchdog = WatchdogThread.start("test-watchdog", Duration.ofHours(1));
        Sleeper ended = new Sleeper();
        Sleeper due = new Sleeper();
        Watch endedWatch = watchdog.arm(ended.thread, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
        assertFalse(endedWatch.end());
        watchdog.disarm(endedWatch);
        Watch dueWatch = watchdog.arm(due.thread, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30));
        // Deadlines fire in order, so by the time the later one fired the earlier one would have.
        assertTrue(due.awaitInterrupt());
        assertEquals(1, ended.interrupted.getCount(), "the ended watch interrupted its thread");
        assertTrue(dueWatch.end(), "the later watch timed out");
        watchdog.disarm(dueWatch);
        assertEquals(0, watchdog.armedCount(), "nothing stays armed");
        ended.thread.interrupt();
    }
}
