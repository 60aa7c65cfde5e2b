package dev.tollgate.controlplane.usage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Reads spend from the usage table: window totals for keys, teams and users, filtered logs, and
 * grouped reports. Totals are sums over indexed rows, so ingest never updates a shared counter.
 * Thread-safe: each call takes its own connection.
 */
public final class SpendQueries {

    private final DataSource db;

    public SpendQueries(DataSource db) {
        this.db = db;
    }

    /** Whose spend a total is: the usage column it is summed by. */
    public enum Owner {
        KEY("key_id = ?::uuid"), TEAM("team_id = ?"), USER("user_id = ?");

        private final String predicate;

        Owner(String predicate) {
            this.predicate = predicate;
        }
    }

    /** Settled spend (micro-dollars) of one key, team or user in {@code [from, to)} ({@code to} empty: open). */
    public long spendMicros(Owner owner, String id, Instant from, Optional<Instant> to) throws SQLException {
        return sum("key_id is not null and " + owner.predicate, id, from, to);
    }

    /** Settled spend of one key on one alias in {@code [from, to)} (for model_max_budget). */
    public long spendMicros(UUID keyId, String alias, Instant from, Optional<Instant> to) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select coalesce(sum(cost_micros), 0) from usage_records where"
                     + " key_id = ? and alias = ? and started_at >= ? and (?::timestamptz is null or started_at < ?)")) {
            ps.setObject(1, keyId);
            ps.setString(2, alias);
            bindRange(ps, 3, from, to);
            return single(ps);
        }
    }

    /** Whose budget a remaining amount is, for {@link #budgetsRemaining}. */
    public enum BudgetHolder {
        KEY("key", "select id, coalesce(key_alias, left(key_hash, 8)) as label, max_budget_micros, budget_duration,"
                + " budget_anchor from virtual_keys where max_budget_micros is not null",
                "u.key_id = b.id"),
        TEAM("team", "select id, coalesce(team_alias, '') as label, max_budget_micros, budget_duration, budget_anchor"
                + " from teams where max_budget_micros is not null",
                "u.key_id is not null and u.team_id = b.id");

        public final String label;
        private final String holders;
        private final String spender;

        BudgetHolder(String label, String holders, String spender) {
            this.label = label;
            this.holders = holders;
            this.spender = spender;
        }
    }

    /**
     * What is left of one key's or team's max_budget in its current budget window (negative when
     * overspent); {@code label} is the key alias (else the first 8 hex digits of its hash, never key
     * text) or the team alias.
     */
    public record BudgetRemaining(String id, String label, long remainingMicros) {
    }

    /**
     * Every {@code holder} with a max_budget and what is left of it at {@code now}, in one query: the
     * window start (anchor + k * budget_duration, as {@code BudgetWindow} computes it) is worked out in
     * SQL from the duration's text ("30s", "5m", "1h", "30d"), so each sum uses the
     * (owner, started_at) index.
     */
    public List<BudgetRemaining> budgetsRemaining(BudgetHolder holder, Instant now) throws SQLException {
        String sql = "with h as (" + holder.holders + "), b as (select h.id, h.label, h.max_budget_micros,"
                + " case when h.budget_duration is null then timestamptz 'epoch' else h.budget_anchor"
                + " + floor(extract(epoch from (?::timestamptz - h.budget_anchor)) / d.len) * d.len * interval '1 second'"
                + " end as window_start from h, lateral (select substring(h.budget_duration from '^[0-9]+')::bigint"
                + " * case right(h.budget_duration, 1) when 's' then 1 when 'm' then 60 when 'h' then 3600 else 86400"
                + " end as len) d)"
                + " select b.id::text, b.label, b.max_budget_micros - coalesce((select sum(u.cost_micros)"
                + " from usage_records u where " + holder.spender + " and u.started_at >= b.window_start), 0)"
                + " from b order by b.id";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, Timestamp.from(now));
            List<BudgetRemaining> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new BudgetRemaining(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
            }
            return out;
        }
    }

    private long sum(String predicate, String id, Instant from, Optional<Instant> to) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select coalesce(sum(cost_micros), 0) from usage_records where "
                     + predicate + " and started_at >= ? and (?::timestamptz is null or started_at < ?)")) {
            ps.setString(1, id);
            bindRange(ps, 2, from, to);
            return single(ps);
        }
    }

    private static void bindRange(PreparedStatement ps, int first, Instant from, Optional<Instant> to)
            throws SQLException {
        ps.setTimestamp(first, Timestamp.from(from));
        Timestamp end = to.map(Timestamp::from).orElse(null);
        ps.setTimestamp(first + 1, end);
        ps.setTimestamp(first + 2, end);
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Which rows a log or report covers; every present field narrows it. {@code to} is exclusive. */
    public record Filter(Optional<List<UUID>> keyIds, Optional<String> teamId, Optional<String> userId,
                         Optional<String> alias, Optional<String> requestId, Optional<Instant> from,
                         Optional<Instant> to) {

        public static final Filter ALL = new Filter(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        String where() {
            return " where (?::uuid[] is null or key_id = any (?::uuid[])) and (?::text is null or team_id = ?)"
                    + " and (?::text is null or user_id = ?) and (?::text is null or alias = ?)"
                    + " and (?::text is null or u.id = ?)"
                    + " and (?::timestamptz is null or started_at >= ?) and (?::timestamptz is null or started_at < ?)";
        }

        int bind(Connection c, PreparedStatement ps, int first) throws SQLException {
            java.sql.Array keys = keyIds.isEmpty() ? null : c.createArrayOf("uuid", keyIds.get().toArray());
            ps.setArray(first, keys);
            ps.setArray(first + 1, keys);
            int i = first + 2;
            for (Optional<String> text : List.of(teamId, userId, alias, requestId)) {
                ps.setString(i++, text.orElse(null));
                ps.setString(i++, text.orElse(null));
            }
            for (Optional<Instant> time : List.of(from, to)) {
                Timestamp t = time.map(Timestamp::from).orElse(null);
                ps.setTimestamp(i++, t);
                ps.setTimestamp(i++, t);
            }
            return i;
        }
    }

    /** A stored usage row, as {@code /spend/logs} shows it. */
    public record UsageRow(String id, UUID keyId, String keyAlias, String teamId, String userId, String alias,
                           String deploymentId, String provider, String model, long promptTokens,
                           long completionTokens, long cachedTokens, long costMicros, long latencyMs, int httpStatus,
                           String errorType, boolean stream, String sidecarName, String traceId, Instant startedAt) {
    }

    /** Newest first. */
    public List<UsageRow> find(Filter filter, int limit, int offset) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select u.id, u.key_id, k.key_alias, u.team_id, u.user_id, u.alias, u.deployment_id, u.provider,"
                             + " u.model, u.prompt_tokens, u.completion_tokens, u.cached_tokens, u.cost_micros,"
                             + " u.latency_ms, u.http_status, u.error_type, u.stream, u.sidecar_name, u.trace_id,"
                             + " u.started_at from usage_records u left join virtual_keys k on k.id = u.key_id"
                             + filter.where().replace("team_id", "u.team_id").replace("user_id", "u.user_id")
                             + " order by u.started_at desc, u.id limit ? offset ?")) {
            int next = filter.bind(c, ps, 1);
            ps.setInt(next, limit);
            ps.setInt(next + 1, offset);
            List<UsageRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new UsageRow(rs.getString(1), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getString(9), rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getLong(13),
                            rs.getLong(14), rs.getInt(15), rs.getString(16), rs.getBoolean(17), rs.getString(18),
                            rs.getString(19), rs.getTimestamp(20).toInstant()));
                }
            }
            return rows;
        }
    }

    /** What {@code /global/spend/report} groups by, and the SQL expression of the group. */
    public enum GroupBy {
        KEY("u.key_id::text"), KEY_ALIAS("k.key_alias"), TEAM("u.team_id"), USER("u.user_id"), ALIAS("u.alias"),
        PROVIDER("u.provider"), MODEL("u.model"), DAY("to_char(u.started_at at time zone 'UTC', 'YYYY-MM-DD')");

        private final String expression;

        GroupBy(String expression) {
            this.expression = expression;
        }
    }

    /** One group of a spend report. {@code group} is null for rows without one (e.g. keys without a team). */
    public record ReportRow(String group, long requests, long costMicros, long promptTokens, long completionTokens) {
    }

    /** Spend per group, biggest spender first (by day: oldest day first). */
    public List<ReportRow> report(GroupBy groupBy, Filter filter) throws SQLException {
        String order = groupBy == GroupBy.DAY ? "1 asc" : "3 desc, 1";
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select " + groupBy.expression + ", count(*),"
                     + " coalesce(sum(u.cost_micros), 0), coalesce(sum(u.prompt_tokens), 0),"
                     + " coalesce(sum(u.completion_tokens), 0) from usage_records u"
                     + " left join virtual_keys k on k.id = u.key_id"
                     + filter.where().replace("team_id", "u.team_id").replace("user_id", "u.user_id")
                     + " group by 1 order by " + order)) {
            filter.bind(c, ps, 1);
            List<ReportRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new ReportRow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5)));
                }
            }
            return rows;
        }
    }
}
