package dev.tollgate.controlplane.cloud;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs {@link CredentialMinting#runDue()} when the clock says something is due, on one scheduler
 * thread, and republishes the snapshot when a pushed credential changed. Wakes at least every
 * {@link #LONGEST_SLEEP} so that a clock that jumps (suspend, NTP step, a test clock) is noticed.
 * Thread-safe.
 */
public final class MintingLoop implements AutoCloseable {

    static final Duration LONGEST_SLEEP = Duration.ofSeconds(30);
    private static final Duration SHORTEST_SLEEP = Duration.ofMillis(50);
    private static final System.Logger LOG = System.getLogger(MintingLoop.class.getName());

    /** Pushes a snapshot compiled with the current minted credentials. */
    @FunctionalInterface
    public interface Republisher {
        void republish() throws Exception;
    }

    private final CredentialMinting minting;
    private final Clock clock;
    private final Republisher republisher;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("credential-minting").daemon().factory());
    private final ReentrantLock ticking = new ReentrantLock();

    public MintingLoop(CredentialMinting minting, Clock clock, Republisher republisher) {
        this.minting = minting;
        this.clock = clock;
        this.republisher = republisher;
    }

    /** Starts waking at the next due time; the caller has done the first round itself. */
    public MintingLoop start() {
        scheduleNext();
        return this;
    }

    /** One round now: mint what is due and republish on change. Also what tests call after moving their clock. */
    public void tick() {
        ticking.lock();
        try {
            if (minting.runDue()) {
                republisher.republish();
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "republishing after a credential refresh failed: "
                    + e.getClass().getSimpleName() + "; retrying on the next round");
        } finally {
            ticking.unlock();
        }
    }

    private void scheduleNext() {
        Instant now = clock.instant();
        Duration sleep = minting.nextDue().map(due -> Duration.between(now, due)).orElse(LONGEST_SLEEP);
        if (sleep.compareTo(LONGEST_SLEEP) > 0) {
            sleep = LONGEST_SLEEP;
        }
        if (sleep.compareTo(SHORTEST_SLEEP) < 0) {
            sleep = SHORTEST_SLEEP;
        }
        try {
            scheduler.schedule(() -> {
                try {
                    tick();
                } finally {
                    scheduleNext(); // whatever a round threw, later refreshes must still happen
                }
            }, sleep.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // close() ran; nothing more to schedule.
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
