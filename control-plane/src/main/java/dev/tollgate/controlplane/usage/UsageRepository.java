package dev.tollgate.controlplane.usage;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Stores usage records: one row per request, idempotent on the record id, written by one
 * statement per call that inserts from arrays ({@code unnest}) and returns the ids it inserted.
 * Ingest touches no shared row (spend totals are sums over this table), so concurrent sidecars
 * never wait on each other's locks; the only possible conflict is the same record id sent twice at
 * once, and rows are inserted in id order so even that cannot deadlock. Thread-safe: each call
 * takes its own connection.
 *
 * <p>Why arrays: a batch of 500 records as multi-row {@code VALUES} is 11,000 bind parameters for
 * the driver to encode and the server to parse; as 22 arrays it is 22. And {@code returning id}
 * says exactly which records are new, which batch update counts do not (the driver's rewritten
 * batches report "success, count unknown" for every row).
 */
public final class UsageRepository {

    private static final String INSERT = "insert into usage_records (id, key_id, alias, deployment_id, provider, model,"
            + " prompt_tokens, completion_tokens, cached_tokens, cost_micros, latency_ms, ttft_ms, http_status,"
            + " error_type, attempts, stream, sidecar_name, trace_id, span_id, started_at, team_id, user_id)"
            + " select id, key_id::uuid, alias, deployment_id, provider, model, prompt_tokens, completion_tokens,"
            + " cached_tokens, cost_micros, latency_ms, ttft_ms, http_status, error_type, attempts, stream,"
            + " sidecar_name, trace_id, span_id, to_timestamp(started_ms / 1000.0), team_id, user_id"
            + " from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[],"
            + " ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::int4[], ?::text[], ?::int4[], ?::bool[], ?::text[],"
            + " ?::text[], ?::text[], ?::int8[], ?::text[], ?::text[])"
            + " as r(id, key_id, alias, deployment_id, provider, model, prompt_tokens, completion_tokens,"
            + " cached_tokens, cost_micros, latency_ms, ttft_ms, http_status, error_type, attempts, stream,"
            + " sidecar_name, trace_id, span_id, started_ms, team_id, user_id)"
            + " on conflict (id) do nothing returning id";

    private final DataSource db;
    private final java.util.function.Consumer<List<UsageRecord>> afterCommit;

    public UsageRepository(DataSource db) {
        this(db, records -> { });
    }

    /** @param afterCommit sees each batch's newly stored records once they are durable (trace export, metrics) */
    public UsageRepository(DataSource db, java.util.function.Consumer<List<UsageRecord>> afterCommit) {
        this.db = db;
        this.afterCommit = afterCommit;
    }

    /**
     * Inserts the records in one transaction; a record whose id is already stored is skipped (and
     * not passed to {@code afterCommit} again). Returns the ids now durably stored (all of them,
     * once this returns).
     */
    public List<String> store(List<UsageRecord> records) throws SQLException {
        List<UsageRecord> ordered = new ArrayList<>(records);
        ordered.sort(Comparator.comparing(UsageRecord::getId));
        int n = ordered.size();
        String[] id = new String[n];
        String[] keyId = new String[n];
        String[] alias = new String[n];
        String[] deployment = new String[n];
        String[] provider = new String[n];
        String[] model = new String[n];
        Long[] prompt = new Long[n];
        Long[] completion = new Long[n];
        Long[] cached = new Long[n];
        Long[] cost = new Long[n];
        Long[] latency = new Long[n];
        Long[] ttft = new Long[n];
        Integer[] status = new Integer[n];
        String[] errorType = new String[n];
        Integer[] attempts = new Integer[n];
        Boolean[] stream = new Boolean[n];
        String[] sidecar = new String[n];
        String[] traceId = new String[n];
        String[] spanId = new String[n];
        Long[] startedMs = new Long[n];
        String[] team = new String[n];
        String[] user = new String[n];
        Map<String, UsageRecord> byId = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            UsageRecord r = ordered.get(i);
            id[i] = r.getId();
            keyId[i] = uuidText(r.getKeyId());
            alias[i] = r.getAlias();
            deployment[i] = r.getDeploymentId();
            provider[i] = r.getProvider();
            model[i] = r.getModel();
            prompt[i] = r.getPromptTokens();
            completion[i] = r.getCompletionTokens();
            cached[i] = r.getCachedTokens();
            cost[i] = r.getCostMicros();
            latency[i] = r.getLatencyMs();
            ttft[i] = r.getTtftMs();
            status[i] = r.getHttpStatus();
            errorType[i] = r.getErrorType();
            attempts[i] = Math.max(1, r.getAttempts());
            stream[i] = r.getStream();
            sidecar[i] = r.getSidecarName();
            traceId[i] = r.getTraceId();
            spanId[i] = r.getSpanId();
            startedMs[i] = r.getStartedAtMs();
            team[i] = r.getTeamId().isEmpty() ? null : r.getTeamId();
            user[i] = r.getUserId().isEmpty() ? null : r.getUserId();
            byId.putIfAbsent(r.getId(), r);
        }
        List<UsageRecord> fresh = new ArrayList<>(n);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                Object[][] columns = {id, keyId, alias, deployment, provider, model, prompt, completion, cached, cost,
                        latency, ttft, status, errorType, attempts, stream, sidecar, traceId, spanId, startedMs, team,
                        user};
                String[] types = {"text", "text", "text", "text", "text", "text", "int8", "int8", "int8", "int8",
                        "int8", "int8", "int4", "text", "int4", "bool", "text", "text", "text", "int8", "text", "text"};
                for (int k = 0; k < columns.length; k++) {
                    ps.setArray(k + 1, c.createArrayOf(types[k], columns[k]));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        fresh.add(byId.get(rs.getString(1)));
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        // Only rows inserted now: a re-delivered record must not be traced or counted twice.
        if (!fresh.isEmpty()) {
            afterCommit.accept(fresh);
        }
        return List.of(id);
    }

    /** The key id as text when it is a UUID, else null (the column is a uuid; a bad id must not fail the batch). */
    private static String uuidText(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return UUID.fromString(text).toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
