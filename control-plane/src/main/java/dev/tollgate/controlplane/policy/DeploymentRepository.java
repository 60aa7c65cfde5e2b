package dev.tollgate.controlplane.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.controlplane.config.ModelDeployment;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Aliases and deployments in PostgreSQL. Thread-safe: each call takes its own connection. */
public final class DeploymentRepository {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The advisory lock that serialises config seeding across replicas ("tollgate" in ASCII, then 1). */
    private static final long CONFIG_SEED_LOCK = 0x746f6c6c67617465L + 1;

    private final DataSource db;

    public DeploymentRepository(DataSource db) {
        this.db = db;
    }

    /** A stored deployment; {@code credentialRef} says where the key comes from, never the key. */
    public record StoredDeployment(
            String id, String alias, int position, String provider, String model, String apiBase,
            String credentialRef, Map<String, String> params) {
    }

    /** The id a config entry gets: its alias and its position among that alias's entries. */
    public static String deploymentId(String alias, int position) {
        return alias + "#" + position;
    }

    /**
     * Replaces the config-seeded deployments with {@code deployments} in one transaction, so that
     * a reload never leaves sidecars a half-written alias. Returns the ids in file order.
     */
    public List<String> replaceConfigDeployments(List<ModelDeployment> deployments) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)");
                 PreparedStatement delete = c.prepareStatement("delete from deployments where source = 'config'");
                 PreparedStatement insert = c.prepareStatement(
                         "insert into deployments (id, alias, position, provider, model, api_base, credential_ref, params, source)"
                                 + " values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, 'config')")) {
                // Replicas starting together each seed the config: without the lock, both delete,
                // then the second insert waits on the first's ids and fails as a duplicate.
                lock.setLong(1, CONFIG_SEED_LOCK);
                lock.execute();
                delete.executeUpdate();
                Map<String, Integer> positions = new HashMap<>();
                for (ModelDeployment d : deployments) {
                    int position = positions.merge(d.alias(), 1, Integer::sum) - 1;
                    String id = deploymentId(d.alias(), position);
                    ids.add(id);
                    insert.setString(1, id);
                    insert.setString(2, d.alias());
                    insert.setInt(3, position);
                    insert.setString(4, d.provider());
                    insert.setString(5, d.model());
                    insert.setString(6, d.apiBase());
                    insert.setString(7, d.credential().describe());
                    insert.setString(8, toJson(d.params()));
                    insert.addBatch();
                }
                insert.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return ids;
    }

    /** Where a deployment came from: the config file (replaced at each start) or the admin API. */
    public static final String SOURCE_API = "api";

    /**
     * Adds a deployment made through the admin API ({@code /model/new}), after the alias's other
     * deployments; config reloads leave it alone. Its key comes from a named credential, so no
     * secret is passed here.
     */
    public void insertApiDeployment(Connection c, String id, ModelDeployment d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into deployments (id, alias, position, provider, model,"
                + " api_base, credential_ref, params, source) values (?, ?, (select coalesce(max(position), -1) + 1"
                + " from deployments where alias = ?), ?, ?, ?, 'none', ?::jsonb, '" + SOURCE_API + "')")) {
            ps.setString(1, id);
            ps.setString(2, d.alias());
            ps.setString(3, d.alias());
            ps.setString(4, d.provider());
            ps.setString(5, d.model());
            ps.setString(6, d.apiBase());
            ps.setString(7, toJson(d.params()));
            ps.executeUpdate();
        }
    }

    /** The source ({@code config} or {@code api}) of a deployment, if it exists. */
    public java.util.Optional<String> sourceOf(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select source from deployments where id = ? for update")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.empty();
            }
        }
    }

    public void delete(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from deployments where id = ?")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    /** Every deployment with where it came from, for {@code GET /model/info}. */
    public List<Map.Entry<StoredDeployment, String>> allWithSource() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select id, alias, position, provider, model, api_base, credential_ref, params::text, source"
                             + " from deployments order by alias, position");
             ResultSet rs = ps.executeQuery()) {
            List<Map.Entry<StoredDeployment, String>> out = new ArrayList<>();
            while (rs.next()) {
                out.add(Map.entry(new StoredDeployment(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), fromJson(rs.getString(8))),
                        rs.getString(9)));
            }
            return out;
        }
    }

    public List<StoredDeployment> all() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select id, alias, position, provider, model, api_base, credential_ref, params::text"
                             + " from deployments order by alias, position");
             ResultSet rs = ps.executeQuery()) {
            List<StoredDeployment> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new StoredDeployment(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), fromJson(rs.getString(8))));
            }
            return out;
        }
    }

    private static String toJson(Map<String, String> params) {
        try {
            return JSON.writeValueAsString(params);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("string map is always serialisable", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> fromJson(String json) throws SQLException {
        try {
            return JSON.readValue(json, LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("deployments.params is not a JSON object of strings", e);
        }
    }
}
