package dev.tollgate.controlplane.health;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Readiness of this replica: unready once {@link #shuttingDown() shutting down}, or while a
 * {@code SELECT 1} on PostgreSQL fails or takes longer than the timeout. The database answer is
 * cached for {@code ttl}, and probes arriving during a check wait for that one check, so load
 * balancers probing often cost the database one query per {@code ttl}. Recovers by itself: the
 * next check after PostgreSQL answers again turns ready. Thread-safe.
 */
public final class Readiness {

    /** What readiness answers. */
    public sealed interface State {
        /** Take traffic. */
        record Ready() implements State {
        }

        /** Do not: {@code reason} says why, for the probe's body and the operator. */
        record Unready(String reason) implements State {
            public Unready {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    private final DataSource db;
    private final Clock clock;
    private final Duration ttl;
    private final Duration timeout;
    private final ReentrantLock checking = new ReentrantLock();
    private volatile boolean shuttingDown;
    private State cached;
    private Instant checkedAt = Instant.MIN;

    /**
     * @param ttl     how long a database answer is reused
     * @param timeout how long one check may take before the database counts as unreachable
     */
    public Readiness(DataSource db, Clock clock, Duration ttl, Duration timeout) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl.isNegative() || !timeout.isPositive()) {
            throw new IllegalArgumentException("ttl " + ttl + ", timeout " + timeout + " (expected: ttl >= 0, timeout > 0)");
        }
        this.ttl = ttl;
        this.timeout = timeout;
    }

    /** From now on unready, whatever the database says. */
    public void shuttingDown() {
        shuttingDown = true;
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    public State state() {
        if (shuttingDown) {
            return new State.Unready("shutting down");
        }
        checking.lock();
        try {
            Instant now = clock.instant();
            if (cached == null || !now.isBefore(checkedAt.plus(ttl))) {
                cached = check();
                checkedAt = clock.instant();
            }
            return cached;
        } finally {
            checking.unlock();
        }
    }

    private State check() {
        // On its own thread with a deadline: a pool waiting for a connection (or a network that drops
        // packets) would otherwise hold the probe far longer than any load balancer waits.
        CompletableFuture<State> result = new CompletableFuture<>();
        Thread.ofVirtual().name("tollgate-readiness").start(() -> result.complete(query()));
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new State.Unready("PostgreSQL did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return new State.Unready("PostgreSQL check failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new State.Unready("interrupted");
        }
    }

    private State query() {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            s.execute("SELECT 1");
            return new State.Ready();
        } catch (SQLException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            int newline = message.indexOf('\n');
            return new State.Unready("PostgreSQL unreachable: " + (newline >= 0 ? message.substring(0, newline) : message));
        }
    }
}
