package dev.tollgate.sidecar.routing;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/**
 * A {@link Watchdog} that fires only when a test says so: it hands out the watches armed with it,
 * and the test fires them (or only claims them) at the moment it wants. Thread-safe.
 */
final class ManualWatchdog implements Watchdog {

    private final LinkedBlockingQueue<Watch> armed = new LinkedBlockingQueue<>();
    final Set<Watch> disarmed = ConcurrentHashMap.newKeySet();
    /** Released when a request thread waits in {@link Watch#end()} for an interrupt being delivered. */
    final CountDownLatch waitingForDelivery = new CountDownLatch(1);

    @Override
    public Watch arm(Thread thread, long deadlineNanos, LongUnaryOperator moving) {
        Watch watch = new Watch(thread, moving, () -> {
            waitingForDelivery.countDown();
            Thread.yield();
        });
        armed.add(watch);
        return watch;
    }

    @Override
    public void disarm(Watch watch) {
        disarmed.add(watch);
    }

    /** The next watch armed, waiting up to five seconds for it. */
    Watch next() throws InterruptedException {
        Watch w = armed.poll(Duration.ofSeconds(5).toNanos(), TimeUnit.NANOSECONDS);
        if (w == null) {
            throw new AssertionError("no watch was armed within 5 s");
        }
        return w;
    }
}
