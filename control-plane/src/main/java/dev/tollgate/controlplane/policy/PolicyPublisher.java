package dev.tollgate.controlplane.policy;

import dev.tollgate.proto.control.v1.PolicySnapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Holds the current policy snapshot and pushes each new one to every connected sidecar.
 * Versions come from a PostgreSQL sequence shared by all replicas, so they only grow, across
 * restarts and across replicas. A management change on this replica {@link #publish() publishes}:
 * it raises the {@code policy_head} row and sends {@code NOTIFY tollgate_policy}; a change made on
 * another replica reaches this one through {@link #catchUp(long)}, which recompiles with a fresh
 * version (always above the announced one) and never announces, so replicas do not wake each other
 * in a loop. Thread-safe: readers take the snapshot without locking; publishing is serialised so
 * that subscribers see versions in order.
 */
public final class PolicyPublisher {

    private static final System.Logger LOG = System.getLogger(PolicyPublisher.class.getName());

    private final DataSource db;
    private final PolicyCompiler compiler;
    private final AtomicReference<PolicySnapshot> current = new AtomicReference<>();
    private final Set<Consumer<PolicySnapshot>> subscribers = ConcurrentHashMap.newKeySet();
    private final ReentrantLock publishing = new ReentrantLock();

    public PolicyPublisher(DataSource db, PolicyCompiler compiler) {
        this.db = db;
        this.compiler = compiler;
    }

    /** The channel of PostgreSQL notifications that carry announced versions. */
    public static final String CHANNEL = "tollgate_policy";

    /**
     * Compiles a new snapshot from the database, pushes it to every subscriber, and announces its
     * version to the other replicas. Called after a change has committed.
     */
    public PolicySnapshot publish() throws SQLException {
        publishing.lock();
        try {
            // The version is taken (and announced) after the change committed, so any replica that
            // recompiles because of it reads the change.
            return push(compiler.compile(announceNextVersion()));
        } finally {
            publishing.unlock();
        }
    }

    /**
     * Recompiles and pushes when the held snapshot is older than {@code announced} (a version some
     * replica published). The fresh version comes from the shared sequence after the announcement,
     * so it is above both {@code announced} and anything this replica's sidecars hold.
     * Returns whether it recompiled.
     */
    public boolean catchUp(long announced) throws SQLException {
        publishing.lock();
        try {
            PolicySnapshot held = current.get();
            if (held != null && held.getVersion() >= announced) {
                return false;
            }
            push(compiler.compile(nextVersion()));
            return true;
        } finally {
            publishing.unlock();
        }
    }

    /**
     * Recompiles and pushes a change that only this replica holds (a credential it minted), with a
     * fresh version from the shared sequence but without announcing it: the other replicas mint
     * their own credentials and have nothing to catch up on.
     */
    public PolicySnapshot republishLocally() throws SQLException {
        publishing.lock();
        try {
            return push(compiler.compile(nextVersion()));
        } finally {
            publishing.unlock();
        }
    }

    /** The newest version announced by any replica ({@code policy_head}). */
    public long announcedVersion() throws SQLException {
        try (Connection c = db.getConnection()) {
            return announcedVersion(c);
        }
    }

    /** {@link #announcedVersion()} on a given connection (the listener's own). */
    public static long announcedVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select version from policy_head where id = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private PolicySnapshot push(PolicySnapshot snapshot) {
        current.set(snapshot);
        for (Consumer<PolicySnapshot> subscriber : subscribers) {
            try {
                subscriber.accept(snapshot);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "pushing policy version " + snapshot.getVersion()
                        + " to a sidecar failed: " + e);
            }
        }
        LOG.log(System.Logger.Level.INFO, "policy version " + snapshot.getVersion() + " published to "
                + subscribers.size() + " sidecar(s): " + snapshot.getAliasesCount() + " alias(es), "
                + snapshot.getKeysCount() + " key(s)");
        return snapshot;
    }

    /**
     * Adds a subscriber and hands it the current snapshot, under the publish lock so that it can
     * neither miss a version nor receive one out of order.
     */
    public void subscribe(Consumer<PolicySnapshot> subscriber) {
        publishing.lock();
        try {
            subscribers.add(subscriber);
            PolicySnapshot snapshot = current.get();
            if (snapshot != null) {
                subscriber.accept(snapshot);
            }
        } finally {
            publishing.unlock();
        }
    }

    public void unsubscribe(Consumer<PolicySnapshot> subscriber) {
        subscribers.remove(subscriber);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    public PolicySnapshot current() {
        return current.get();
    }

    /**
     * Takes the next version and raises {@code policy_head} to it, with the NOTIFY in the same
     * transaction (PostgreSQL delivers it on commit, never for a rolled-back one).
     */
    private long announceNextVersion() throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement head = c.prepareStatement(
                    "update policy_head set version = nextval('policy_version_seq') where id = 1 returning version");
                 PreparedStatement notify = c.prepareStatement("select pg_notify(?, ?)")) {
                long version;
                try (ResultSet rs = head.executeQuery()) {
                    rs.next();
                    version = rs.getLong(1);
                }
                notify.setString(1, CHANNEL);
                notify.setString(2, Long.toString(version));
                notify.execute();
                c.commit();
                return version;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private long nextVersion() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select nextval('policy_version_seq')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
