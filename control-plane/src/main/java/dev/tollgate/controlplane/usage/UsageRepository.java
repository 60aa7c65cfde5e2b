package dev.tollgate.controlplane.usage;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Stores usage records: one row per request, idempotent on the record id, written as one JDBC
 * batch per call. Thread-safe: each call takes its own connection.
 */
public final class UsageRepository {

    private final DataSource db;
    private final java.util.function.Consumer<List<UsageRecord>> afterCommit;

    public UsageRepository(DataSource db) {
        this(db, records -> { });
    }

    /** @param afterCommit sees each batch once it is durably stored (trace export, metrics) */
    public UsageRepository(DataSource db, java.util.function.Consumer<List<UsageRecord>> afterCommit) {
        this.db = db;
        this.afterCommit = afterCommit;
    }

    /**
     * Inserts the records in one transaction; a record whose id is already stored is skipped.
     * Returns the ids now durably stored (all of them, once this returns).
     */
    public List<String> store(List<UsageRecord> records) throws SQLException {
        List<String> ids = new ArrayList<>(records.size());
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into usage_records (id, key_id, alias, deployment_id, provider, model, prompt_tokens,"
                            + " completion_tokens, cached_tokens, cost_micros, latency_ms, ttft_ms, http_status,"
                            + " error_type, attempts, stream, sidecar_name, trace_id, span_id, started_at)"
                            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                            + " on conflict (id) do nothing")) {
                for (UsageRecord r : records) {
                    ps.setString(1, r.getId());
                    ps.setObject(2, parseUuid(r.getKeyId()));
                    ps.setString(3, r.getAlias());
                    ps.setString(4, r.getDeploymentId());
                    ps.setString(5, r.getProvider());
                    ps.setString(6, r.getModel());
                    ps.setLong(7, r.getPromptTokens());
                    ps.setLong(8, r.getCompletionTokens());
                    ps.setLong(9, r.getCachedTokens());
                    ps.setLong(10, r.getCostMicros());
                    ps.setLong(11, r.getLatencyMs());
                    ps.setLong(12, r.getTtftMs());
                    ps.setInt(13, r.getHttpStatus());
                    ps.setString(14, r.getErrorType());
                    ps.setInt(15, Math.max(1, r.getAttempts()));
                    ps.setBoolean(16, r.getStream());
                    ps.setString(17, r.getSidecarName());
                    ps.setString(18, r.getTraceId());
                    ps.setString(19, r.getSpanId());
                    ps.setTimestamp(20, Timestamp.from(Instant.ofEpochMilli(r.getStartedAtMs())));
                    ps.addBatch();
                    ids.add(r.getId());
                }
                int[] counts = ps.executeBatch();
                c.commit();
                // Only rows inserted now: a re-delivered record must not be traced or counted twice.
                List<UsageRecord> fresh = new ArrayList<>(records.size());
                for (int i = 0; i < counts.length && i < records.size(); i++) {
                    if (counts[i] != 0) {
                        fresh.add(records.get(i));
                    }
                }
                if (!fresh.isEmpty()) {
                    afterCommit.accept(fresh);
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return ids;
    }

    private static UUID parseUuid(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A stored usage row, as {@code /spend/logs} shows it. */
    public record UsageRow(String id, UUID keyId, String alias, String deploymentId, String provider, String model,
                           long promptTokens, long completionTokens, long costMicros, long latencyMs, int httpStatus,
                           String errorType, boolean stream, String sidecarName, String traceId, Instant startedAt) {
    }

    /** Newest first; {@code keyId} and {@code alias} filter when present. */
    public List<UsageRow> find(Optional<UUID> keyId, Optional<String> alias, int limit, int offset) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select id, key_id, alias, deployment_id, provider, model, prompt_tokens, completion_tokens,"
                             + " cost_micros, latency_ms, http_status, error_type, stream, sidecar_name, trace_id, started_at"
                             + " from usage_records where (?::uuid is null or key_id = ?::uuid) and (?::text is null or alias = ?)"
                             + " order by started_at desc, id limit ? offset ?")) {
            ps.setObject(1, keyId.orElse(null));
            ps.setObject(2, keyId.orElse(null));
            ps.setString(3, alias.orElse(null));
            ps.setString(4, alias.orElse(null));
            ps.setInt(5, limit);
            ps.setInt(6, offset);
            List<UsageRow> rows = new ArrayList<>();
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new UsageRow(rs.getString(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                            rs.getInt(11), rs.getString(12), rs.getBoolean(13), rs.getString(14), rs.getString(15),
                            rs.getTimestamp(16).toInstant()));
                }
            }
            return rows;
        }
    }
}
