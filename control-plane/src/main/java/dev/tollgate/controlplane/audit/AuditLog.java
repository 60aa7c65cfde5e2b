package dev.tollgate.controlplane.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Writes and reads {@code audit_log}. Callers pass the connection of the transaction that makes
 * the change, so a change and its audit row commit together or not at all. Thread-safe.
 */
public final class AuditLog {

    /** Who made a change; the master key is the only admin identity so far. */
    public static final String MASTER_KEY = "master_key";

    private final Clock clock;

    public AuditLog(Clock clock) {
        this.clock = clock;
    }

    /** One audit row. {@code targetId} is a key hash, team id or user id, never a key. */
    public record Entry(long id, Instant at, String actor, String action, String targetType, String targetId,
                        String details) {
    }

    public void record(Connection c, String actor, String action, String targetType, String targetId,
                       JsonNode details) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into audit_log (at, actor, action, target_type,"
                + " target_id, details) values (?, ?, ?, ?, ?, ?::jsonb)")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant()));
            ps.setString(2, actor);
            ps.setString(3, action);
            ps.setString(4, targetType);
            ps.setString(5, targetId);
            ps.setString(6, details == null ? "{}" : details.toString());
            ps.executeUpdate();
        }
    }

    /** The newest entries first, optionally for one target. */
    public List<Entry> recent(DataSource db, String targetType, String targetId, int limit) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select id, at, actor, action, target_type, target_id,"
                     + " details::text from audit_log where (?::text is null or target_type = ?)"
                     + " and (?::text is null or target_id = ?) order by id desc limit ?")) {
            ps.setString(1, targetType);
            ps.setString(2, targetType);
            ps.setString(3, targetId);
            ps.setString(4, targetId);
            ps.setInt(5, limit);
            List<Entry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7)));
                }
            }
            return out;
        }
    }
}
