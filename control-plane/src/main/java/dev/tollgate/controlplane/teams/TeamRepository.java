package dev.tollgate.controlplane.teams;

import dev.tollgate.controlplane.budget.LimitsColumns;
import dev.tollgate.controlplane.store.Rows;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Teams in PostgreSQL. Thread-safe: each call uses the connection it is given or takes its own. */
public final class TeamRepository {

    private static final String COLUMNS = "id, team_alias, models, metadata::text, blocked, created_at, "
            + LimitsColumns.COLUMNS;

    private final DataSource db;

    public TeamRepository(DataSource db) {
        this.db = db;
    }

    /** Inserts; returns false when a team with this id exists already. */
    public boolean insert(Connection c, TeamRecord team) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into teams (id, team_alias, models, metadata, blocked,"
                + " created_at, updated_at, " + LimitsColumns.COLUMNS + ") values (?, ?, ?, ?::jsonb, ?, ?, ?,"
                + " ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing")) {
            ps.setString(1, team.id());
            ps.setString(2, team.teamAlias().orElse(null));
            ps.setArray(3, c.createArrayOf("text", team.models().toArray()));
            ps.setString(4, team.metadata());
            ps.setBoolean(5, team.blocked());
            ps.setTimestamp(6, Timestamp.from(team.createdAt()));
            ps.setTimestamp(7, Timestamp.from(team.createdAt()));
            LimitsColumns.bind(ps, 8, team.limits());
            return ps.executeUpdate() == 1;
        }
    }

    public void update(Connection c, TeamRecord team, java.time.Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update teams set team_alias = ?, models = ?,"
                + " metadata = ?::jsonb, blocked = ?, updated_at = ?, " + LimitsColumns.ASSIGNMENTS + " where id = ?")) {
            ps.setString(1, team.teamAlias().orElse(null));
            ps.setArray(2, c.createArrayOf("text", team.models().toArray()));
            ps.setString(3, team.metadata());
            ps.setBoolean(4, team.blocked());
            ps.setTimestamp(5, Timestamp.from(now));
            int next = LimitsColumns.bind(ps, 6, team.limits());
            ps.setString(next, team.id());
            ps.executeUpdate();
        }
    }

    /** Locks the row for the rest of the transaction. */
    public Optional<TeamRecord> findForUpdate(Connection c, String id) throws SQLException {
        return find(c, id, " for update");
    }

    public Optional<TeamRecord> find(String id) throws SQLException {
        try (Connection c = db.getConnection()) {
            return find(c, id, "");
        }
    }

    private Optional<TeamRecord> find(Connection c, String id, String suffix) throws SQLException {
        return Rows.one(c, "select " + COLUMNS + " from teams where id = ?" + suffix, id, TeamRepository::read);
    }

    public List<TeamRecord> all() throws SQLException {
        try (Connection c = db.getConnection()) {
            return Rows.all(c, "select " + COLUMNS + " from teams order by created_at, id", TeamRepository::read);
        }
    }

    /** Deletes the teams (their keys go with them); returns the ids that existed. */
    public List<String> delete(Connection c, List<String> ids) throws SQLException {
        return Rows.deleteByIds(c, "teams", ids);
    }

    private static TeamRecord read(ResultSet rs) throws SQLException {
        Array models = rs.getArray(3);
        return new TeamRecord(rs.getString(1), Optional.ofNullable(rs.getString(2)),
                models == null ? List.of() : Arrays.asList((String[]) models.getArray()), LimitsColumns.read(rs, 7),
                rs.getString(4), rs.getBoolean(5), rs.getTimestamp(6).toInstant());
    }
}
