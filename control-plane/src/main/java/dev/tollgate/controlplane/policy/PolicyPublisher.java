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
 * Versions come from a PostgreSQL sequence, so they only grow, across restarts too.
 * Thread-safe: readers take the snapshot without locking; publishing is serialised so that
 * subscribers see versions in order.
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

    /** Compiles a new snapshot from the database and pushes it to every subscriber. */
    public PolicySnapshot publish() throws SQLException {
        publishing.lock();
        try {
            PolicySnapshot snapshot = compiler.compile(nextVersion());
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
        } finally {
            publishing.unlock();
        }
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

    private long nextVersion() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select nextval('policy_version_seq')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
