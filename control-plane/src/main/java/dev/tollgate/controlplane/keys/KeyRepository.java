package dev.tollgate.controlplane.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.budget.BudgetDuration;
import dev.tollgate.controlplane.budget.Limits;
import dev.tollgate.controlplane.budget.LimitsColumns;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Virtual keys in PostgreSQL. Writes take the connection of the caller's transaction (so the
 * audit row commits with the change); reads take their own. Thread-safe.
 */
public final class KeyRepository {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, key_hash, key_hint, key_alias, models, metadata::text, blocked,"
            + " expires_at, created_at, team_id, user_id, model_max_budget::text, aliases::text, "
            + LimitsColumns.COLUMNS;

    private final DataSource db;

    public KeyRepository(DataSource db) {
        this.db = db;
    }

    public void insert(Connection c, KeyRecord key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into virtual_keys (id, key_hash, key_hint, key_alias, models, metadata, blocked, expires_at,"
                        + " created_at, team_id, user_id, model_max_budget, aliases, updated_at, " + LimitsColumns.COLUMNS
                        + ") values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, key.id());
            ps.setString(2, key.keyHash());
            ps.setString(3, key.keyHint());
            int next = bindMutable(c, ps, 4, key);
            ps.setTimestamp(next, Timestamp.from(key.createdAt()));
            ps.setString(next + 1, key.teamId().orElse(null));
            ps.setString(next + 2, key.userId().orElse(null));
            ps.setString(next + 3, modelBudgetsJson(key.modelMaxBudget()));
            ps.setString(next + 4, JSON.valueToTree(key.aliases()).toString());
            ps.setTimestamp(next + 5, Timestamp.from(key.createdAt()));
            LimitsColumns.bind(ps, next + 6, key.limits());
            ps.executeUpdate();
        }
    }

    /** Writes every mutable field of {@code key} (all but id, hash, hint and creation time). */
    public void update(Connection c, KeyRecord key, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update virtual_keys set key_alias = ?, models = ?,"
                + " metadata = ?::jsonb, blocked = ?, expires_at = ?, team_id = ?, user_id = ?,"
                + " model_max_budget = ?::jsonb, aliases = ?::jsonb, updated_at = ?, " + LimitsColumns.ASSIGNMENTS
                + " where id = ?")) {
            int next = bindMutable(c, ps, 1, key);
            ps.setString(next, key.teamId().orElse(null));
            ps.setString(next + 1, key.userId().orElse(null));
            ps.setString(next + 2, modelBudgetsJson(key.modelMaxBudget()));
            ps.setString(next + 3, JSON.valueToTree(key.aliases()).toString());
            ps.setTimestamp(next + 4, Timestamp.from(now));
            next = LimitsColumns.bind(ps, next + 5, key.limits());
            ps.setObject(next, key.id());
            ps.executeUpdate();
        }
    }

    /** key_alias, models, metadata, blocked, expires_at from {@code first}; returns the next index. */
    private static int bindMutable(Connection c, PreparedStatement ps, int first, KeyRecord key) throws SQLException {
        ps.setString(first, key.keyAlias().orElse(null));
        ps.setArray(first + 1, c.createArrayOf("text", key.models().toArray()));
        ps.setString(first + 2, key.metadata());
        ps.setBoolean(first + 3, key.blocked());
        ps.setTimestamp(first + 4, key.expiresAt().map(Timestamp::from).orElse(null));
        return first + 5;
    }

    /** Gives the key a new hash and hint (regenerate); the old key text stops working. */
    public void rehash(Connection c, UUID id, String newHash, String newHint, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update virtual_keys set key_hash = ?, key_hint = ?, updated_at = ? where id = ?")) {
            ps.setString(1, newHash);
            ps.setString(2, newHint);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setObject(4, id);
            ps.executeUpdate();
        }
    }

    public Optional<KeyRecord> findByHash(String keyHash) throws SQLException {
        try (Connection c = db.getConnection()) {
            return findByHash(c, keyHash, "");
        }
    }

    /** Locks the row for the rest of the caller's transaction. */
    public Optional<KeyRecord> findByHashForUpdate(Connection c, String keyHash) throws SQLException {
        return findByHash(c, keyHash, " for update");
    }

    private Optional<KeyRecord> findByHash(Connection c, String keyHash, String suffix) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from virtual_keys where key_hash = ?"
                + suffix)) {
            ps.setString(1, keyHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public Optional<KeyRecord> findById(UUID id) throws SQLException {
        List<KeyRecord> found = query("where id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    public List<KeyRecord> all() throws SQLException {
        return query("");
    }

    public List<KeyRecord> byTeam(String teamId) throws SQLException {
        return query("where team_id = ?", teamId);
    }

    public List<KeyRecord> byUser(String userId) throws SQLException {
        return query("where user_id = ?", userId);
    }

    /** Keys with a {@code key_alias} (to resolve the spend-log filter of that name). */
    public List<KeyRecord> byKeyAlias(String keyAlias) throws SQLException {
        return query("where key_alias = ?", keyAlias);
    }

    private List<KeyRecord> query(String where, Object... args) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from virtual_keys " + where
                     + " order by created_at, id")) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<KeyRecord> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(read(rs));
                }
            }
            return keys;
        }
    }

    /** Deletes the keys with these hashes; returns the hashes that existed. */
    public List<String> deleteByHash(Connection c, Collection<String> hashes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from virtual_keys where key_hash = any (?) returning key_hash")) {
            ps.setArray(1, c.createArrayOf("text", hashes.toArray()));
            List<String> deleted = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    deleted.add(rs.getString(1));
                }
            }
            return deleted;
        }
    }

    private static KeyRecord read(ResultSet rs) throws SQLException {
        Array models = rs.getArray(5);
        Timestamp expires = rs.getTimestamp(8);
        Limits limits = LimitsColumns.read(rs, 14);
        return new KeyRecord(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                Optional.ofNullable(rs.getString(4)),
                models == null ? List.of() : Arrays.asList((String[]) models.getArray()),
                rs.getString(6),
                rs.getBoolean(7),
                Optional.ofNullable(expires).map(Timestamp::toInstant),
                rs.getTimestamp(9).toInstant(),
                Optional.ofNullable(rs.getString(10)),
                Optional.ofNullable(rs.getString(11)),
                limits,
                modelBudgets(rs.getString(12), limits.budgetAnchor()),
                aliases(rs.getString(13)));
    }

    static String modelBudgetsJson(Map<String, Limits> budgets) {
        ObjectNode out = JSON.createObjectNode();
        budgets.forEach((alias, l) -> {
            ObjectNode entry = out.putObject(alias);
            l.maxBudgetMicros().ifPresent(m -> entry.put("max_budget_micros", m));
            l.budgetDuration().ifPresent(d -> entry.put("budget_duration", d.text()));
        });
        return out.toString();
    }

    private static Map<String, Limits> modelBudgets(String json, Instant anchor) throws SQLException {
        Map<String, Limits> out = new LinkedHashMap<>();
        JsonNode root = parse(json);
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            Optional<BudgetDuration> duration = v.hasNonNull("budget_duration")
                    ? Optional.of(BudgetDuration.parse(v.get("budget_duration").asText())) : Optional.empty();
            out.put(f.getKey(), new Limits(Optional.of(v.path("max_budget_micros").asLong()), Optional.empty(),
                    duration, anchor, Optional.empty(), Optional.empty(), Optional.empty()));
        }
        return out;
    }

    private static Map<String, String> aliases(String json) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        parse(json).fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
        return out;
    }

    private static JsonNode parse(String json) throws SQLException {
        try {
            return json == null ? JSON.createObjectNode() : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SQLException("virtual_keys: a JSON column does not hold an object", e);
        }
    }
}
