package dev.tollgate.controlplane.policy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Keeps this replica's policy up to date with changes published on other replicas: LISTENs on
 * {@value PolicyPublisher#CHANNEL} over a connection of its own and, on a version newer than the
 * one held, has the publisher recompile. Every {@code safetyNet} it also reads {@code policy_head},
 * for a notification lost while the connection was down (PostgreSQL does not queue them for a
 * listener that is gone). Reconnects, with a capped backoff, after the database restarts.
 * Thread-safe: one daemon thread does all the work; {@link #close()} stops it.
 */
public final class PolicyChangeListener implements AutoCloseable {

    /** Opens the listener's own connection (not one borrowed for good from the pool). */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private static final System.Logger LOG = System.getLogger(PolicyChangeListener.class.getName());
    private static final int POLL_MS = 250;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final ConnectionSource connections;
    private final PolicyPublisher publisher;
    private final long safetyNetMs;
    private final Thread thread;
    private volatile boolean closed;

    public PolicyChangeListener(ConnectionSource connections, PolicyPublisher publisher, Duration safetyNet) {
        this.connections = connections;
        this.publisher = publisher;
        this.safetyNetMs = safetyNet.toMillis();
        this.thread = Thread.ofPlatform().daemon().name("tollgate-policy-listener").unstarted(this::run);
    }

    public PolicyChangeListener start() {
        thread.start();
        return this;
    }

    private void run() {
        long backoffMs = 200;
        boolean loggedDown = false;
        while (!closed) {
            try (Connection c = connections.open()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + PolicyPublisher.CHANNEL);
                }
                if (loggedDown) {
                    LOG.log(System.Logger.Level.INFO, "listening for policy changes again");
                }
                backoffMs = 200;
                loggedDown = false;
                listen(c);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!loggedDown) {
                    loggedDown = true;
                    LOG.log(System.Logger.Level.WARNING, "lost the policy-change listener connection (" + e.getMessage()
                            + "); changes made on other replicas arrive when it is back");
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }
    }

    /** Waits for notifications until the connection breaks or the listener closes. */
    private void listen(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        // Whatever was announced while this connection was not listening.
        publisher.catchUp(PolicyPublisher.announcedVersion(c));
        long nextCheck = System.nanoTime() + safetyNetMs * 1_000_000;
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(POLL_MS);
            long newest = 0;
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    newest = Math.max(newest, parse(n.getParameter()));
                }
            }
            if (System.nanoTime() - nextCheck >= 0) {
                newest = Math.max(newest, PolicyPublisher.announcedVersion(c));
                nextCheck = System.nanoTime() + safetyNetMs * 1_000_000;
            }
            if (newest > 0) {
                publisher.catchUp(newest);
            }
        }
    }

    private static long parse(String payload) {
        try {
            return Long.parseLong(payload.trim());
        } catch (NumberFormatException e) {
            // Not ours to read; the safety net still finds the newest version.
            return 0;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
