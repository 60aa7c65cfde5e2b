package dev.tollgate.controlplane.usage;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Stores usage records: one row per request, idempotent on the record id, written as one JDBC
 * batch per call (the driver rewrites it into multi-row INSERTs). Ingest touches no shared row
 * (spend totals are sums over this table), so concurrent sidecars never wait on each other's
 * locks; the only possible conflict is the same record id sent twice at once, and rows are
 * inserted in id order so even that cannot deadlock. Thread-safe: each call takes its own connection.
 */
public final class UsageRepository {

    private static final String INSERT = "insert into usage_records (id, key_id, alias, deployment_id, provider, model,"
            + " prompt_tokens, completion_tokens, cached_tokens, cost_micros, latency_ms, ttft_ms, http_status,"
            + " error_type, attempts, stream, sidecar_name, trace_id, span_id, started_at, team_id, user_id)"
            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " on conflict (id) do nothing";

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
        List<UsageRecord> ordered = new ArrayList<>(records);
        ordered.sort(Comparator.comparing(UsageRecord::getId));
        List<String> ids = new ArrayList<>(ordered.size());
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (UsageRecord r : ordered) {
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
                    ps.setString(21, r.getTeamId().isEmpty() ? null : r.getTeamId());
                    ps.setString(22, r.getUserId().isEmpty() ? null : r.getUserId());
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
}
