package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.audit.AuditLog;
import dev.tollgate.controlplane.policy.PolicyPublisher;
import dev.tollgate.controlplane.store.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * How every management change is made: in one transaction with its audit row, then published to
 * the sidecars before the admin call returns. Thread-safe.
 */
public final class Changes {

    /** Records one audit row in the change's transaction. */
    @FunctionalInterface
    interface Audit {
        void record(String action, String targetType, String targetId, JsonNode details) throws SQLException;
    }

    /** The database work of a change. */
    @FunctionalInterface
    interface Change<T> {
        T apply(Connection c, Audit audit) throws SQLException;
    }

    private final DataSource db;
    private final AuditLog audit;
    private final PolicyPublisher publisher;

    public Changes(DataSource db, AuditLog audit, PolicyPublisher publisher) {
        this.db = db;
        this.audit = audit;
        this.publisher = publisher;
    }

    <T> T make(Change<T> change) throws SQLException {
        T result = Transactions.run(db, c -> change.apply(c,
                (action, type, id, details) -> audit.record(c, Caller.current().actor(), action, type, id, details)));
        publisher.publish();
        return result;
    }
}
