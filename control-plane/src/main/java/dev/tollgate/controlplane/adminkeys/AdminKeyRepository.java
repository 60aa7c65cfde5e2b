package dev.tollgate.controlplane.adminkeys;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** {@code admin_keys} in PostgreSQL. Writes take the caller's transaction; reads their own connection. Thread-safe. */
public final class AdminKeyRepository {

    private static final String COLUMNS = "id, key_hash, key_hint, key_alias, role, created_at";

    private final DataSource db;

    public AdminKeyRepository(DataSource db) {
        this.db = db;
    }

    public void insert(Connection c, AdminKeyRecord key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into admin_keys (" + COLUMNS
                + ") values (?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, key.id());
            ps.setString(2, key.keyHash());
            ps.setString(3, key.keyHint());
            ps.setString(4, key.keyAlias().orElse(null));
            ps.setString(5, key.role());
            ps.setTimestamp(6, Timestamp.from(key.createdAt()));
            ps.executeUpdate();
        }
    }

    /** The key with this hash: one indexed read per admin request that does not carry the master key. */
    public Optional<AdminKeyRecord> findByHash(String keyHash) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from admin_keys where key_hash = ?")) {
            ps.setString(1, keyHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public List<AdminKeyRecord> all() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from admin_keys order by created_at, id");
             ResultSet rs = ps.executeQuery()) {
            List<AdminKeyRecord> out = new ArrayList<>();
            while (rs.next()) {
                out.add(read(rs));
            }
            return out;
        }
    }

    /** Deletes the keys with these hashes; returns the hashes that existed. */
    public List<String> deleteByHash(Connection c, Collection<String> hashes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from admin_keys where key_hash = any (?) returning key_hash")) {
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

    private static AdminKeyRecord read(ResultSet rs) throws SQLException {
        return new AdminKeyRecord(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                Optional.ofNullable(rs.getString(4)), rs.getString(5), rs.getTimestamp(6).toInstant());
    }
}
