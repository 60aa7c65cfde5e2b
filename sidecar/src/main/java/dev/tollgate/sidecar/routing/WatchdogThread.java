package dev.tollgate.sidecar.routing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongUnaryOperator;

/**
 * The sidecar's one {@link Watchdog}: a daemon platform thread that sleeps until the earliest armed
 * deadline. Watches sit in a skip list ordered by deadline, so arming and disarming are lock-free
 * and O(log n). A request thread wakes the watchdog only when it arms a deadline earlier than the
 * one the watchdog sleeps until; with similar timeouts that is almost never, so the per-attempt cost
 * is two skip-list operations and no cross-thread wake-up (unlike a scheduled executor, which
 * signals its worker whenever a new task heads an emptied queue). A fired watch is fired again every
 * {@code repeat} until its attempt ends: an adapter that swallows one interrupt and blocks again is
 * still cut; a watch whose deadline moved is looked at again when it says. Thread-safe.
 */
public final class WatchdogThread implements Watchdog {

    private static final Duration REPEAT = Duration.ofMillis(100);
    /** How long the thread sleeps with nothing armed; any arm wakes it earlier. */
    private static final long IDLE_NANOS = TimeUnit.HOURS.toNanos(1);

    private final long repeatNanos;
    private final ConcurrentSkipListMap<Watch, Boolean> armed = new ConcurrentSkipListMap<>(Watch.BY_DEADLINE);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition earlier = lock.newCondition();
    /**
     * When the thread looks at the queue next. It writes this before its last look at the queue, and
     * an arm reads it after adding to the queue, so a deadline is either seen by that look or wakes
     * the thread.
     */
    private volatile long nextLookNanos = System.nanoTime();

    private WatchdogThread(Duration repeat) {
        this.repeatNanos = repeat.toNanos();
    }

    /** The watchdog every router shares unless given another (request-body deadlines use it too). */
    public static Watchdog shared() {
        return Shared.INSTANCE;
    }

    /** A new watchdog thread named {@code name} that fires a watch again every {@code repeat} until it ends. */
    static WatchdogThread start(String name, Duration repeat) {
        WatchdogThread w = new WatchdogThread(repeat);
        Thread.ofPlatform().name(name).daemon().start(w::loop);
        return w;
    }

    private static final class Shared {
        static final WatchdogThread INSTANCE = start("tollgate-attempt-watchdog", REPEAT);
    }

    @Override
    public Watch arm(Thread thread, long deadlineNanos, LongUnaryOperator moving) {
        Watch watch = new Watch(thread, moving, Watch.SPIN);
        watch.deadlineNanos = deadlineNanos;
        armed.put(watch, Boolean.TRUE);
        if (deadlineNanos - nextLookNanos < 0) {
            lock.lock();
            try {
                earlier.signal();
            } finally {
                lock.unlock();
            }
        }
        return watch;
    }

    @Override
    public void disarm(Watch watch) {
        armed.remove(watch);
    }

    /** How many watches are armed (tests: a disarmed watch must not stay behind). */
    int armedCount() {
        return armed.size();
    }

    private void loop() {
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                Map.Entry<Watch, Boolean> first = armed.firstEntry();
                if (first != null && first.getKey().deadlineNanos - now <= 0) {
                    Watch due = first.getKey();
                    // Whoever removes it owns it: a concurrent disarm means the attempt ended.
                    if (armed.remove(due) != null && due.due(now, repeatNanos)) {
                        armed.put(due, Boolean.TRUE);
                    }
                    continue;
                }
                long next = first == null ? now + IDLE_NANOS : first.getKey().deadlineNanos;
                nextLookNanos = next;
                Map.Entry<Watch, Boolean> again = armed.firstEntry();
                if (again != null && again.getKey().deadlineNanos - next < 0) {
                    continue;
                }
                try {
                    earlier.awaitNanos(next - now);
                } catch (InterruptedException e) {
                    // Nobody interrupts this thread on purpose; it must keep watching.
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
