package dev.tollgate.controlplane.users;

import dev.tollgate.controlplane.budget.LimitsColumns;
import dev.tollgate.controlplane.store.Rows;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Users in PostgreSQL. Thread-safe: each call uses the connection it is given or takes its own. */
public final class UserRepository {

    private static final String COLUMNS = "id, user_email, user_role, models, metadata::text, created_at, "
            + LimitsColumns.COLUMNS;

    private final DataSource db;

    public UserRepository(DataSource db) {
        this.db = db;
    }

    /** Inserts; returns false when a user with this id exists already. */
    public boolean insert(Connection c, UserRecord user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into users (id, user_email, user_role, models, metadata,"
                + " created_at, updated_at, " + LimitsColumns.COLUMNS + ") values (?, ?, ?, ?, ?::jsonb, ?, ?,"
                + " ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing")) {
            ps.setString(1, user.id());
            ps.setString(2, user.userEmail().orElse(null));
            ps.setString(3, user.userRole().orElse(null));
            ps.setArray(4, c.createArrayOf("text", user.models().toArray()));
            ps.setString(5, user.metadata());
            ps.setTimestamp(6, Timestamp.from(user.createdAt()));
            ps.setTimestamp(7, Timestamp.from(user.createdAt()));
            LimitsColumns.bind(ps, 8, user.limits());
            return ps.executeUpdate() == 1;
        }
    }

    public void update(Connection c, UserRecord user, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update users set user_email = ?, user_role = ?, models = ?,"
                + " metadata = ?::jsonb, updated_at = ?, " + LimitsColumns.ASSIGNMENTS + " where id = ?")) {
            ps.setString(1, user.userEmail().orElse(null));
            ps.setString(2, user.userRole().orElse(null));
            ps.setArray(3, c.createArrayOf("text", user.models().toArray()));
            ps.setString(4, user.metadata());
            ps.setTimestamp(5, Timestamp.from(now));
            int next = LimitsColumns.bind(ps, 6, user.limits());
            ps.setString(next, user.id());
            ps.executeUpdate();
        }
    }

    public Optional<UserRecord> findForUpdate(Connection c, String id) throws SQLException {
        return find(c, id, " for update");
    }

    public Optional<UserRecord> find(String id) throws SQLException {
        try (Connection c = db.getConnection()) {
            return find(c, id, "");
        }
    }

    private Optional<UserRecord> find(Connection c, String id, String suffix) throws SQLException {
        return Rows.one(c, "select " + COLUMNS + " from users where id = ?" + suffix, id, UserRepository::read);
    }

    public List<UserRecord> all() throws SQLException {
        try (Connection c = db.getConnection()) {
            return Rows.all(c, "select " + COLUMNS + " from users order by created_at, id", UserRepository::read);
        }
    }

    /** Deletes the users (their keys go with them); returns the ids that existed. */
    public List<String> delete(Connection c, List<String> ids) throws SQLException {
        return Rows.deleteByIds(c, "users", ids);
    }

    private static UserRecord read(ResultSet rs) throws SQLException {
        Array models = rs.getArray(4);
        return new UserRecord(rs.getString(1), Optional.ofNullable(rs.getString(2)),
                Optional.ofNullable(rs.getString(3)),
                models == null ? List.of() : Arrays.asList((String[]) models.getArray()), LimitsColumns.read(rs, 7),
                rs.getString(5), rs.getTimestamp(6).toInstant());
    }
}
